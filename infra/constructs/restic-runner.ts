import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  CfnCluster,
  ContainerImage,
  CpuArchitecture,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { RESTIC_CONTAINER_NAME } from '#statemachines/names.ts';

/** The public restic image the runner image starts FROM (Docker Hub; same tag as the docs). */
export const RESTIC_BASE_IMAGE = 'restic/restic:0.17.3';

/**
 * Dockerfile of the restic runner: the official restic image (Alpine) plus Alpine's Node.js, running the
 * esbuild bundle of functions/restore/restic-task.ts as an unprivileged user. Node 20 is what Alpine 3.20
 * (the restic image's base) ships, hence the bundle's node20 target.
 */
export const resticRunnerDockerfile = `FROM ${RESTIC_BASE_IMAGE}
RUN apk add --no-cache nodejs && adduser -D -u 10001 reversa
COPY restic-task.mjs restic-task.mjs.map /app/
USER 10001
WORKDIR /tmp
ENTRYPOINT ["node", "--enable-source-maps", "/app/restic-task.mjs"]
`;

export interface ResticRunnerProps {
  /** Absolute path of functions/restore/restic-task.ts. */
  readonly entry: string;
  /** The variables the task's config.ts reads (resource names and the Powertools settings). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * The container image.
   * @default - built at deploy time from RESTIC_BASE_IMAGE plus Node.js and the bundled runner (a Docker image asset)
   */
  readonly image?: ContainerImage;
  /** @default 1024 (1 vCPU) */
  readonly cpu?: number;
  /** @default 2048 */
  readonly memoryLimitMiB?: number;
  /**
   * Task disk: restic restores the sampled files onto it before reading them back.
   * @default 50
   */
  readonly ephemeralStorageGiB?: number;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
}

/**
 * The restic runner in AWS: an ECS cluster (Fargate only, Container Insights) and a task definition whose
 * container `restic-runner` runs `restic restore` + read-back + `restic check` for one test. The workflow
 * starts it with `ecs:runTask.sync` and passes the test identity as the command.
 *
 * The cluster is the L1 resource on purpose: the L2 Cluster creates a VPC when given none, and the task
 * runs in the subnets given at deploy time (`-c restoreSubnetIds=…`), with no lookup at synth.
 */
export class ResticRunner extends Construct {
  readonly cluster: CfnCluster;
  readonly taskDefinition: FargateTaskDefinition;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ResticRunnerProps) {
    super(scope, id);
    this.cluster = new CfnCluster(this, 'Cluster', {
      clusterSettings: [{ name: 'containerInsights', value: 'enabled' }],
      capacityProviders: ['FARGATE'],
    });
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskDefinition = new FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu ?? 1024,
      memoryLimitMiB: props.memoryLimitMiB ?? 2048,
      ephemeralStorageGiB: props.ephemeralStorageGiB ?? 50,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.X86_64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    this.taskDefinition.addContainer('Runner', {
      containerName: RESTIC_CONTAINER_NAME,
      image: props.image ?? resticRunnerImage(this, props.entry),
      essential: true,
      environment: { ...props.environment },
      logging: LogDrivers.awsLogs({ streamPrefix: 'restic', logGroup: this.logGroup }),
      readonlyRootFilesystem: false,
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds resource names only (table, buckets, bus, key ids), the same config.ts variables every Lambda receives; secrets (restic passwords) are read from Secrets Manager at run time by name.',
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The task execution role pulls the image: ecr:GetAuthorizationToken supports no resource-level permission.',
    });
  }
}

/**
 * The runner image as a Docker image asset: the bundle is built here with esbuild (offline, in-process), the
 * image at deploy time by cdk-assets, so `cdk synth` needs neither Docker nor the network. When the stack is
 * synthesised without bundling (the infra tests), a stand-in file takes the bundle's place.
 */
function resticRunnerImage(scope: Construct, entry: string): ContainerImage {
  const context = mkdtempSync(join(tmpdir(), 'reversa-restic-runner-'));
  mkdirSync(context, { recursive: true });
  writeFileSync(join(context, 'Dockerfile'), resticRunnerDockerfile);
  if (Stack.of(scope).bundlingRequired) {
    buildSync({
      entryPoints: [entry],
      outfile: join(context, 'restic-task.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      mainFields: ['module', 'main'],
      banner: { js: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);" },
      logLevel: 'silent',
    });
  } else {
    writeFileSync(join(context, 'restic-task.mjs'), '// bundling skipped at synth\n');
    writeFileSync(join(context, 'restic-task.mjs.map'), '{}\n');
  }
  return ContainerImage.fromAsset(context, { platform: Platform.LINUX_AMD64 });
}
