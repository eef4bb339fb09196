import { App } from 'aws-cdk-lib';
import { addNagChecks } from './nag.ts';
import { addReversaStacks, readDeployContext } from './reversa-app.ts';

// CDK apps are the one place outside config.ts allowed to read the environment: the CLI passes the
// target account/region this way. Without credentials both are unset and the stacks stay environment-agnostic
// (no lookups are used, so synth works offline).
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

const app = new App();
addReversaStacks(app, {
  ...readDeployContext(app),
  ...(account === undefined && region === undefined
    ? {}
    : { env: { ...(account === undefined ? {} : { account }), ...(region === undefined ? {} : { region }) } }),
});
addNagChecks(app);
app.synth();
