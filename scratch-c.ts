import { readFileSync } from 'node:fs';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, DescribeStackResourcesCommand, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
const cfg = { endpoint: 'http://127.0.0.1:5123', region: 'eu-west-3', credentials: { accessKeyId: 'AKIAMOTOTESTING00001', secretAccessKey: 'x' } };
const cfn = new CloudFormationClient(cfg);
const body = readFileSync('cdk.out/ReversaStateful.template.json', 'utf8');
const name = 'ReversaStateful' + Date.now();
try { await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: body })); } catch (e) { console.log('CREATE ERR', (e as Error).name, (e as Error).message); }
try {
const s = await cfn.send(new DescribeStacksCommand({ StackName: name }));
console.log(s.Stacks?.[0]?.StackStatus, s.Stacks?.[0]?.StackStatusReason);
console.log(JSON.stringify(s.Stacks?.[0]?.Outputs?.map(o => [o.OutputKey, o.OutputValue])));
const r = await cfn.send(new DescribeStackResourcesCommand({ StackName: name }));
for (const x of r.StackResources ?? []) console.log(x.ResourceType, x.LogicalResourceId, x.PhysicalResourceId, x.ResourceStatus);
} catch (e) { console.log('ERR', (e as Error).name, (e as Error).message); }
