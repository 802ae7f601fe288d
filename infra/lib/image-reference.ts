/** Where the `shopflow` container image comes from. */
export type ImageReference =
  | {
      kind: 'ecr';
      /** Undefined: the account and region the stack is deployed to. */
      account?: string;
      region?: string;
      repositoryName: string;
      /** A tag (`v1.4.0`) or a digest (`sha256:…`). */
      tagOrDigest: string;
    }
  | { kind: 'registry'; uri: string };

const ECR_URI =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*)(?::([\w][\w.-]{0,127})|@(sha256:[a-f0-9]{64}))?$/;
const OTHER_URI = /^[a-z0-9.-]+(?::\d+)?\/[a-z0-9._/-]+(?::[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})?$/;

/**
 * Parses the `imageUri` context value. An Amazon ECR URI becomes an `ecr` reference, so the task
 * execution role is granted pull access to exactly that repository; any other registry is used as
 * is (it must be reachable from the tasks' subnets). Without a URI the image is
 * `shopflow:<tag>` in the ECR registry of the deployment account and region.
 *
 * @example
 * parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/shopflow:v1.4.0', 'latest');
 * // { kind: 'ecr', account: '123456789012', region: 'eu-west-1', repositoryName: 'shopflow', tagOrDigest: 'v1.4.0' }
 * parseImageReference(undefined, 'v1.4.0'); // { kind: 'ecr', repositoryName: 'shopflow', tagOrDigest: 'v1.4.0' }
 */
export function parseImageReference(uri: string | undefined, defaultTag: string): ImageReference | undefined {
  if (uri === undefined || uri === '') {
    return { kind: 'ecr', repositoryName: 'shopflow', tagOrDigest: defaultTag };
  }
  const ecr = ECR_URI.exec(uri);
  if (ecr) {
    const [, account, region, repositoryName, tag, digest] = ecr;
    return { kind: 'ecr', account, region, repositoryName, tagOrDigest: digest ?? tag ?? defaultTag };
  }
  return OTHER_URI.test(uri) ? { kind: 'registry', uri } : undefined;
}
