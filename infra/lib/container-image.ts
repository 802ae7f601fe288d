import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import type { ImageReference } from './image-reference.js';

/**
 * The ECS container image of a reference. ECR images come from an imported repository, so ECS
 * grants the task execution role pull access to exactly that repository.
 *
 * @example
 * const image = containerImageOf(this, parseImageReference(undefined, 'v1.4.0')!);
 */
export function containerImageOf(scope: Construct, reference: ImageReference): ecs.ContainerImage {
  if (reference.kind === 'registry') return ecs.ContainerImage.fromRegistry(reference.uri);
  const repository = ecr.Repository.fromRepositoryAttributes(scope, 'ImageRepository', {
    repositoryName: reference.repositoryName,
    repositoryArn: Stack.of(scope).formatArn({
      service: 'ecr',
      resource: 'repository',
      resourceName: reference.repositoryName,
      ...(reference.account ? { account: reference.account } : {}),
      ...(reference.region ? { region: reference.region } : {}),
    }),
  });
  return ecs.ContainerImage.fromEcrRepository(repository, reference.tagOrDigest);
}
