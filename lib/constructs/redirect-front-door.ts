/**
 * The opt-in front door for short links at volume: an internet-facing Application Load Balancer
 * whose HTTPS listener sends every request to the redirect function (a Lambda target), with HTTP
 * redirected to HTTPS. Everything else stays on the HTTP API.
 *
 * Why: the HTTP API bills $1.00 per million requests, half the ≤ $2.00 per million clicks budget;
 * a load balancer bills by the hour and by capacity units, so at steady volume a click's share of
 * it is a fraction of that (docs/cost.md has the arithmetic and the break-even volume). The redirect
 * handler reads the load balancer's event through functions/common/http/alb.ts.
 *
 * The load balancer needs a VPC: public subnets in two zones, no NAT gateway and nothing else in it
 * (the function is not attached to it). Access logs go to the stack's access-log bucket; the VPC's
 * rejected flows to the same bucket.
 */
import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ApplicationTargetGroup,
  ListenerCertificate,
  SslPolicy,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { LambdaTarget } from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import { AccountPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { FactName } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';

export interface RedirectFrontDoorProps {
  /** The redirect function: the only target. */
  readonly redirect: IFunction;
  /**
   * An ACM certificate in the stack's region for the host short links are built on (the stack's
   * `publicBaseUrl`), whose DNS name the operator points at the load balancer.
   */
  readonly certificateArn: string;
  /** Where the load balancer's access logs and the VPC's rejected flows go. */
  readonly logBucket: Bucket;
}

/** Prefixes of the front door's logs in the access-log bucket. */
export const FRONT_DOOR_LOG_PREFIX = 'redirect-front-door';

export class RedirectFrontDoor extends Construct {
  readonly loadBalancer: ApplicationLoadBalancer;

  constructor(scope: Construct, id: string, props: RedirectFrontDoorProps) {
    super(scope, id);
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
    });
    // Only rejected flows: accepted ones are the load balancer's requests, already in its access logs.
    vpc.addFlowLog('RejectedFlows', {
      destination: FlowLogDestination.toS3(props.logBucket, `${FRONT_DOOR_LOG_PREFIX}/vpc-flow-logs/`),
      trafficType: FlowLogTrafficType.REJECT,
    });

    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'creditlink short-link load balancer: HTTPS, and HTTP only to be redirected to HTTPS',
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(Peer.anyIpv4(), Port.tcp(443), 'Short links (HTTPS)');
    securityGroup.addIngressRule(Peer.anyIpv4(), Port.tcp(80), 'HTTP, answered with a redirect to HTTPS');
    Validations.of(securityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        "Short links are followed by anyone's browser: the load balancer must accept 443 (and 80, redirected to 443) from every address.",
    });

    this.loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      securityGroup,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      idleTimeout: Duration.seconds(30),
    });
    this.enableAccessLogs(props.logBucket, `${FRONT_DOOR_LOG_PREFIX}/access-logs`);

    const targets = new ApplicationTargetGroup(this, 'RedirectTarget', {
      targets: [new LambdaTarget(props.redirect)],
    });
    // Every Set-Cookie of an answer, and repeated query keys, reach the function and the browser.
    targets.setAttribute('lambda.multi_value_headers.enabled', 'true');

    this.loadBalancer.addListener('Https', {
      protocol: ApplicationProtocol.HTTPS,
      port: 443,
      certificates: [ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
      defaultTargetGroups: [targets],
    });
    this.loadBalancer.addRedirect({
      sourceProtocol: ApplicationProtocol.HTTP,
      sourcePort: 80,
      targetProtocol: ApplicationProtocol.HTTPS,
      targetPort: 443,
    });

    new CfnOutput(this, 'DnsName', {
      description:
        "The short-link load balancer's DNS name: point the certificate's host (publicBaseUrl) at it with a CNAME or alias record.",
      value: this.loadBalancer.loadBalancerDnsName,
    });
  }

  /**
   * What `logAccessLogs` does, for a stack without a fixed region (bin/app.ts): the account that
   * Elastic Load Balancing writes logs from is looked up per region at deploy time (a template
   * mapping), where `logAccessLogs` would need the region at synth time.
   */
  private enableAccessLogs(bucket: Bucket, prefix: string): void {
    const stack = Stack.of(this);
    const policy = bucket.addToResourcePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        principals: [new AccountPrincipal(stack.regionalFact(FactName.ELBV2_ACCOUNT))],
        resources: [bucket.arnForObjects(`${prefix}/AWSLogs/${stack.account}/*`)],
      }),
    );
    this.loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    this.loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
    this.loadBalancer.setAttribute('access_logs.s3.prefix', prefix);
    // The load balancer checks that it may write there when logging is switched on.
    if (policy.policyDependable) this.loadBalancer.node.addDependency(policy.policyDependable);
  }
}
