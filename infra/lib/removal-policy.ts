import { RemovalPolicy } from 'aws-cdk-lib';
import type { Retention } from './environment-settings.js';

/**
 * The CloudFormation removal policy of an environment's retention.
 *
 * @example
 * removalPolicyOf('retain'); // RemovalPolicy.RETAIN
 */
export function removalPolicyOf(retention: Retention): RemovalPolicy {
  return retention === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
