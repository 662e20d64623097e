import { type CfnElement, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Renders names the way cdk-nag prints them in finding ids (`<LogicalId>`, `<LogicalId.Arn>`, `<AWS::AccountId>`,
 * literal values where the stack knows them), so an acknowledgement can name one exact finding.
 */
export class NagNames {
  constructor(private readonly stack: Stack) {}

  public static of(scope: IConstruct): NagNames {
    return new NagNames(Stack.of(scope));
  }

  public logicalId(element: IConstruct | undefined): string {
    return this.stack.getLogicalId(element as CfnElement);
  }

  public get account(): string {
    return literalOr(this.stack.account, '<AWS::AccountId>');
  }

  /**
   * An ARN in this stack's partition, region and account, as cdk-nag renders it.
   * @param withAccount false for resources whose ARNs have no account (AMIs, snapshots)
   */
  public arn(service: string, resource: string, withAccount = true): string {
    return `arn:${literalOr(this.stack.partition, '<AWS::Partition>')}:${service}:${literalOr(this.stack.region, '<AWS::Region>')}:${withAccount ? this.account : ''}:${resource}`;
  }
}

function literalOr(value: string, nag: string): string {
  return Token.isUnresolved(value) ? nag : value;
}
