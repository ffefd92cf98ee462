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
 * (the function is not attached to it). It keeps no access logs: their fixed format holds each
 * shopper's raw IP address, full URL and user agent, one line per click, where CONTRACT §3 keeps only a
 * keyed hash of the IP; its CloudWatch metrics count requests, errors and latency. The VPC's
 * rejected flows (connections to other ports) go to the stack's access-log bucket.
 *
 * Unlike the HTTP API's stage, a load balancer throttles nothing (README: reserved concurrency or a
 * WAF rate-based rule where that matters).
 */
import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
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
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface RedirectFrontDoorProps {
  /** The redirect function: the only target. */
  readonly redirect: IFunction;
  /**
   * An ACM certificate in the stack's region for the host short links are built on (the stack's
   * `publicBaseUrl`), whose DNS name the operator points at the load balancer.
   */
  readonly certificateArn: string;
  /** Where the VPC's rejected flows go. */
  readonly logBucket: Bucket;
}

/** Prefix of the front door's logs in the access-log bucket. */
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
    // Only rejected flows (connections to other ports): accepted ones are short-link requests, which the
    // load balancer's metrics count without keeping their addresses.
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
    // The client's address is the last X-Forwarded-For entry only when the load balancer appends it
    // (functions/common/http/alb.ts): pinned, so a later default cannot hand the choice to the client.
    this.loadBalancer.setAttribute('routing.http.xff_header_processing.mode', 'append');
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason:
        "Access logs would keep every shopper's raw IP address, URL and user agent per click, where creditlink keeps only a keyed hash of the IP (CONTRACT §3); the load balancer's CloudWatch metrics count requests, errors and latency.",
    });

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
}
