/**
 * The opt-in load balancer front door for short links (lib/constructs/redirect-front-door.ts): absent
 * by default; with a certificate, an internet-facing ALB whose HTTPS listener forwards to the redirect
 * function (multi-value headers), HTTP redirected to HTTPS, no access logs (raw client IPs), and
 * the stack still free of unacknowledged cdk-nag findings (synthTemplate runs them).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { statementsIn } from './inspect';
import { buildApp, removeSynthOutput, synthTemplate } from './synth';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0f7e6d5c-1111-2222-3333-444455556666';

afterAll(removeSynthOutput);

test('without a certificate there is no load balancer and no VPC', () => {
  const { template } = synthTemplate();
  template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
  template.resourceCountIs('AWS::EC2::VPC', 0);
});

test('a certificate without publicBaseUrl is refused: links would still go through the HTTP API', () => {
  expect(() => buildApp({ stackProps: { redirectCertificateArn: CERTIFICATE } })).toThrow(/publicBaseUrl/);
});

test('a context value that is not a certificate ARN is refused', () => {
  expect(() =>
    buildApp({
      context: { redirectCertificateArn: 'go.example.com', publicBaseUrl: 'https://go.example.com' },
    }),
  ).toThrow(/ACM certificate ARN/);
});

describe('with a certificate', () => {
  // The context values, as `cdk deploy -c redirectCertificateArn=… -c publicBaseUrl=…` gives them.
  const { template, stack } = synthTemplate({
    context: { redirectCertificateArn: CERTIFICATE, publicBaseUrl: 'https://go.example.com' },
  });
  const redirectId = stack.resolve(
    (stack.function('redirect').node.defaultChild as unknown as { logicalId: string }).logicalId,
  ) as string;

  test('an internet-facing load balancer that drops invalid headers, appends the client address and keeps no access logs', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        // functions/common/http/alb.ts takes the last X-Forwarded-For entry as the client's address.
        { Key: 'routing.http.xff_header_processing.mode', Value: 'append' },
      ]),
    });
    // Access logs would keep each shopper's raw IP address (CONTRACT §3 keeps only a keyed hash).
    const [balancer] = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
    const attributes = (balancer?.Properties?.LoadBalancerAttributes ?? []) as Array<{
      Key: string;
      Value: unknown;
    }>;
    expect(attributes.filter((a) => a.Key.startsWith('access_logs.') && a.Value === 'true')).toEqual([]);
    const policies = template.findResources('AWS::S3::BucketPolicy');
    const statements = Object.values(policies).flatMap((p) => statementsIn(p.Properties?.PolicyDocument));
    expect(statements.filter((s) => JSON.stringify(s.Resource).includes('access-logs/AWSLogs'))).toEqual([]);
  });

  test('HTTPS with the given certificate forwards to the redirect function; HTTP redirects to HTTPS', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: CERTIFICATE }],
      SslPolicy: Match.stringLikeRegexp('TLS13'),
      DefaultActions: [{ Type: 'forward', TargetGroupArn: Match.anyValue() }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'lambda',
      Targets: [{ Id: { 'Fn::GetAtt': [redirectId, 'Arn'] } }],
      TargetGroupAttributes: [{ Key: 'lambda.multi_value_headers.enabled', Value: 'true' }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [redirectId, 'Arn'] },
      Principal: 'elasticloadbalancing.amazonaws.com',
    });
  });

  test('the only target is the redirect function; the HTTP API keeps every route', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
  });

  test('only 443 and 80 are open, no NAT gateway, rejected flows logged', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        Match.objectLike({ FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }),
        Match.objectLike({ FromPort: 80, ToPort: 80, CidrIp: '0.0.0.0/0' }),
      ],
    });
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT', LogDestinationType: 's3' });
  });
});
