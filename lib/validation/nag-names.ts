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

  public get partition(): string {
    return literalOr(this.stack.partition, '<AWS::Partition>');
  }

  public get region(): string {
    return literalOr(this.stack.region, '<AWS::Region>');
  }

  /**
   * An ARN in this stack's partition, region and account, as cdk-nag renders it.
   * @param account false for resources whose ARNs have no account (AMIs, snapshots), or a literal account ('aws', '*')
   * @param region a region of its own (the region may be a token of this stack's)
   */
  public arn(service: string, resource: string, account: boolean | string = true, region: string = this.stack.region): string {
    const accountPart = typeof account === 'string' ? account : account ? this.account : '';
    return `arn:${this.partition}:${service}:${literalOr(region, '<AWS::Region>')}:${accountPart}:${resource}`;
  }
}

function literalOr(value: string, nag: string): string {
  return Token.isUnresolved(value) ? nag : value;
}
