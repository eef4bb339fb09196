import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { EXPORT_WORKFLOW, type ExportSubstitution } from '#statemachines/names.ts';
import { AslStateMachine } from '../constructs/asl-state-machine.ts';
import type { ReversaFunction } from '../constructs/reversa-function.ts';
import { DEFAULT_READ_BACKUP_ROLE_PREFIX, readBackupRoleGrant, serviceGrant } from '../grants.ts';
import { ASSEMBLE_ENVIRONMENT, ASSEMBLE_NODE_OPTIONS } from '../lambda-bundling.ts';
import { defaultExportDefinitionPath } from '../paths.ts';
import { stateMachineNameOf } from '../reversa-resources.ts';
import { DOSSIER_ABORT_ID } from '../role-names.ts';
import { WorkflowConstruct, type WorkflowProps } from './workflow.ts';

export interface DossierExportWorkflowProps extends WorkflowProps {
  /** @default statemachines/reversibility-export.asl.json (repository root) */
  readonly definitionPath?: string;
  /**
   * Name prefix of the role Gather assumes in each client account to discover its inventory (the same read-only
   * role reconcile uses).
   * @default 'ReversaReadBackup'
   */
  readonly readBackupRolePrefix?: string;
}

export type DossierFunctionKey =
  | 'prepare'
  | 'gather'
  | 'checklist'
  | 'assemble'
  | 'sign'
  | 'publish'
  | 'audit'
  | 'abort';

const runs = 'runs/';
/**
 * The tenant's inputs, under their default prefixes (core/dossier/contents/settings.ts): a strategy that moves them
 * elsewhere in the data bucket needs the same grant there.
 */
const sources = ['config/', 'procedures/', 'inventory/'];
const dossiers = 'dossiers/';

/**
 * The reversibility export: the `<stack>-reversibility-export` state machine
 * (statemachines/reversibility-export.asl.json) and its eight Task functions, from the inputs fingerprint to the
 * signed, published dossier in the dossier bucket, or the Abort that leaves nothing partial behind. Each grant is
 * what the step's use case touches (core/use-cases/dossier-export.ts). Notify is a workflow task (events:PutEvents).
 */
export class DossierExportWorkflow extends WorkflowConstruct {
  /** The reversibility-export Lambdas (functions/dossier/*.ts). */
  readonly functions: Readonly<Record<DossierFunctionKey, ReversaFunction>>;
  readonly stateMachine: AslStateMachine;
  /** Execution alarms. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: DossierExportWorkflowProps) {
    super(scope, id, props, 'reversa-dossier');
    const resources = props.resources;
    const { table, dataBucket: data, dossierBucket, dossierKey, tenantSecrets } = resources;

    // Reuses a plan (probe), fingerprints the inputs (lists sources, lists secret names), claims the version.
    const prepare = this.fn('DossierPrepare', 'functions/dossier/prepare.ts', {
      description: 'Dossier export: fingerprints the inputs and claims the next version',
    }).bind(
      table.readWrite(),
      data.read(runs, ...sources),
      data.write(runs),
      data.list(runs, ...sources),
      tenantSecrets.list(),
    );

    // One function, five parts: inventory, catalogue, evidence (restore tests + audit-log segment), escrow, contacts.
    // 'Gather' stays short: a signing role's generated name must keep its prefix (see grants.ts signerRolePrefix).
    const gather = this.fn('Gather', 'functions/dossier/gather.ts', {
      description: 'Dossier export: gathers one part into staging (secrets sealed in memory)',
      memorySize: 1024,
      timeout: Duration.minutes(15),
    })
      // readWrite + auditLog: the evidence part seals the audit log (a signed digest) before packing it. The catalogue
      // is streamed into runs/ in parts (aborted on failure). Secrets: listed, then read by tag, sealed in memory.
      .bind(
        table.readWrite(),
        data.read(runs, ...sources, 'restore-tests/'),
        data.objects(['s3:PutObject', 's3:AbortMultipartUpload'], [runs]),
        data.list(runs, ...sources, 'restore-tests/'),
        resources.auditLog(),
        tenantSecrets.list(),
        tenantSecrets.read(),
      )
      // Inventory discovery, with the function's own role: the tenant's tagged resources of this account, and of
      // client accounts through their ReversaReadBackup role (ExternalId = tenant id).
      .grant(
        serviceGrant(
          ['tag:GetResources'],
          "tag:GetResources supports no resource-level permission; discovery filters on the tenant's reversa:tenant tag.",
        ),
        readBackupRoleGrant(
          this,
          props.readBackupRolePrefix ?? DEFAULT_READ_BACKUP_ROLE_PREFIX,
          'Inventory discovery reads client accounts through the same read-only ReversaReadBackup* roles as reconciliation (trust requires the tenant id as ExternalId).',
        ),
      );

    const checklist = this.fn('DossierChecklist', 'functions/dossier/checklist.ts', {
      description: 'Dossier export: judges completeness against the checklist',
    }).bind(table.read(), data.read(runs, ...sources), data.write(runs), data.list(runs, ...sources));

    // Streams the bag into a multipart upload in the dossier bucket (lib-storage: Create/UploadPart/Complete are
    // s3:PutObject, Abort on failure); the signer's public key names the signer.
    const assemble = this.fn('DossierAssemble', 'functions/dossier/assemble.ts', {
      description: 'Dossier export: streams the BagIt zip into the dossier bucket',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      // Most of what Assemble allocates is short-lived buffers streaming by: a small young generation
      // (here) and a fixed old-generation growth factor (functions/dossier/heap-tuning.ts) keep that
      // garbage from piling up before V8 collects it: ~200 MB peak RSS for 1 GB of small files instead
      // of ~230–310 MB, same speed (bench/dossier.ts runs its child with both).
      nodeOptions: [...ASSEMBLE_NODE_OPTIONS],
      extraEnvironment: { ...ASSEMBLE_ENVIRONMENT },
    }).bind(
      table.read(),
      data.read(runs, ...sources),
      data.write(runs),
      data.list(runs, ...sources),
      dossierBucket.objects(['s3:PutObject', 's3:AbortMultipartUpload'], [dossiers]),
      dossierKey.publicKey(),
    );

    // Signs the tag manifest and the zip checksum with the dossier key. 'DxSign': a signing role keeps its name prefix.
    const sign = this.fn('DxSign', 'functions/dossier/sign.ts', {
      description: 'Dossier export: signs the dossier (KMS ECDSA P-256)',
    }).bind(data.read(runs), dossierBucket.write(dossiers), dossierKey.sign());

    // Immutable version row (conditional put) with a change summary against the previous version's manifest.
    const publish = this.fn('DossierPublish', 'functions/dossier/publish.ts', {
      description: 'Dossier export: publishes the immutable version',
    }).bind(table.readWrite(), data.read(runs), dossierBucket.read(dossiers), dossierBucket.list(dossiers));

    // The audit-log entry (who, when, version, archive SHA-256, fingerprints), then the run's staging is deleted.
    const audit = this.fn('DxAudit', 'functions/dossier/audit.ts', {
      description: 'Dossier export: records the export in the tenant audit log',
    }).bind(table.readWrite(), data.read(runs), data.delete(runs), data.list(runs), resources.auditLog());

    // A failed run: aborts the multipart upload a killed Assemble left (found by listing uploads), removes the
    // unpublished version's objects (delete markers: the dossier bucket admits only this tenant role, by its name
    // <stack>-DossierAbort-Tenant, to place them: stateful-stack.ts), releases the claim.
    const abort = this.fn(DOSSIER_ABORT_ID, 'functions/dossier/abort.ts', {
      description: 'Dossier export: aborts a failed run (nothing partial is published)',
    }).bind(
      table.readWrite(),
      data.read(runs),
      data.delete(runs),
      data.list(runs),
      dossierBucket.objects(['s3:AbortMultipartUpload', 's3:DeleteObject'], [dossiers]),
      dossierBucket.list(dossiers),
      dossierBucket.listUploads(),
    );

    const substitutions: Record<ExportSubstitution, string> = {
      PrepareFunctionArn: prepare.functionArn,
      GatherFunctionArn: gather.functionArn,
      ChecklistFunctionArn: checklist.functionArn,
      AssembleFunctionArn: assemble.functionArn,
      SignFunctionArn: sign.functionArn,
      PublishFunctionArn: publish.functionArn,
      AuditFunctionArn: audit.functionArn,
      AbortFunctionArn: abort.functionArn,
      EventBusName: resources.eventBus.name,
    };
    this.functions = { prepare, gather, checklist, assemble, sign, publish, audit, abort };
    this.stateMachine = new AslStateMachine(this, 'Export', {
      definitionPath: props.definitionPath ?? defaultExportDefinitionPath,
      substitutions,
      functions: Object.values(this.functions).map((fn) => fn.function),
      stateMachineName: stateMachineNameOf(this, EXPORT_WORKFLOW),
      label: 'reversibility-export workflow',
      alarmTopic: props.alarmTopic,
    });
    // Notify (events:putEvents) is a state machine task.
    resources.eventBus.bus.grantPutEventsTo(this.stateMachine.stateMachine);
    this.alarms = [...this.stateMachine.alarms];
  }
}
