/**
 * Reversibility dossiers: readiness, every published version with what changed, a fresh download
 * link per version (audit-logged) with the SHA-256 to check the download against, and the stock
 * commands a successor runs to verify it without Reversa. Provider roles can start a new export.
 */
import { useState } from 'preact/hooks';
import { ApiProblem, api, tenantPath } from '../api/client.ts';
import type { DossierLink, Dossiers, DossierVersion, ExportStarted } from '../api/types.gen.ts';
import { Facts, Hash, Section, TableRegion } from '../components/layout.tsx';
import { Badge, Loading, Notice, ProblemNotice } from '../components/notice.tsx';
import { formatBytes, formatDateTime } from '../format.ts';
import { may, type Role } from '../roles.ts';
import { useApi } from '../use-api.ts';

const LINK_HOURS = 72;

function LinkPanel({ link, version }: { link: DossierLink; version: DossierVersion }) {
  return (
    <div class="link-panel" id={`link-v${link.version}`}>
      <Notice kind="ok">
        A download link for v{link.version} was issued (recorded in the audit log as entry #{link.auditSeq}); it works
        until {formatDateTime(link.expiresAt)}.
      </Notice>
      <p>
        <a class="button primary" href={link.zipUrl} id={`download-v${link.version}`}>
          Download {version.fileName} ({formatBytes(link.zipBytes)})
        </a>
      </p>
      <p>
        SHA-256 of the archive: <Hash value={link.zipSha256} label={`SHA-256 of ${version.fileName}`} />
      </p>
      <p class="small">
        Check your download with <code>sha256sum {version.fileName}</code>: it must print this value. Also:{' '}
        <a href={link.checksumUrl} target="_blank" rel="noopener noreferrer">
          {version.fileName}.sha256
        </a>{' '}
        and its signature{' '}
        <a href={link.signatureUrl} target="_blank" rel="noopener noreferrer">
          {version.fileName}.sha256.sig
        </a>
        .
      </p>
    </div>
  );
}

function VersionRow({ tenant, version, role }: { tenant: string; version: DossierVersion; role: Role }) {
  const [state, setState] = useState<{ busy: boolean; link?: DossierLink; error?: ApiProblem }>({ busy: false });
  async function issue() {
    setState({ busy: true });
    try {
      const link = await api<DossierLink>(tenantPath(tenant, 'dossiers', version.version, 'links'), {
        method: 'POST',
        body: { expiresIn: LINK_HOURS * 3600 },
      });
      setState({ busy: false, link });
    } catch (e) {
      setState({ busy: false, ...(e instanceof ApiProblem ? { error: e } : {}) });
    }
  }
  return (
    <li class="version">
      <h3>
        v{version.version} <span class="muted small">{formatDateTime(version.createdAt)}</span>
      </h3>
      <p>{version.changeSummary}</p>
      <Facts
        items={[
          ['File', version.fileName],
          ['Size', formatBytes(version.zipBytes)],
          ['SHA-256', <Hash key="h" value={version.zipSha256} />],
          ['Signer key fingerprint', <Hash key="f" value={version.signerFingerprint} />],
          ['Exported by', version.createdBy],
          ...(version.auditSeq === undefined
            ? []
            : ([['Audit-log entry', `#${version.auditSeq}`]] as Array<[string, string]>)),
        ]}
      />
      {may(role, 'dossier:download') ? (
        <button type="button" onClick={issue} disabled={state.busy} aria-describedby={`link-help-${version.version}`}>
          {state.busy ? 'Issuing a link…' : `Get a download link for v${version.version}`}
        </button>
      ) : null}
      {may(role, 'dossier:download') ? (
        <p class="muted small" id={`link-help-${version.version}`}>
          A fresh link, valid {LINK_HOURS} hours; issuing it is recorded in the audit log with your name.
        </p>
      ) : null}
      <div aria-live="polite">
        {state.error ? <ProblemNotice error={state.error} what="a download link" /> : null}
        {state.link ? <LinkPanel link={state.link} version={version} /> : null}
      </div>
    </li>
  );
}

function ExportButton({ tenant, onStarted }: { tenant: string; onStarted: () => void }) {
  const [state, setState] = useState<{ busy: boolean; started?: ExportStarted; error?: ApiProblem }>({ busy: false });
  async function start() {
    setState({ busy: true });
    try {
      const started = await api<ExportStarted>(tenantPath(tenant, 'dossiers'), { method: 'POST' });
      setState({ busy: false, started });
      onStarted();
    } catch (e) {
      setState({ busy: false, ...(e instanceof ApiProblem ? { error: e } : {}) });
    }
  }
  return (
    <div>
      <button type="button" onClick={start} disabled={state.busy}>
        {state.busy ? 'Starting…' : 'Export a new version'}
      </button>
      <div aria-live="polite">
        {state.error ? <ProblemNotice error={state.error} what="the export" /> : null}
        {state.started ? (
          <Notice kind="info">
            Export {state.started.executionName} {state.started.status.toLowerCase()}: reload this page in a minute to
            see the new version.
          </Notice>
        ) : null}
      </div>
    </div>
  );
}

export function DossiersPage({ tenant, role }: { tenant: string; role: Role }) {
  const dossiers = useApi<Dossiers>(tenantPath(tenant, 'dossiers'));
  const d = dossiers.data;
  const bagCommands = d?.verifyCommands ?? [];
  return (
    <>
      <h1 tabIndex={-1}>Reversibility dossiers</h1>
      <p class="lead">
        One signed archive with the inventory, configurations, procedures, backup catalogue, restore-test evidence and
        the credentials escrow that only the successor can open.
      </p>
      {dossiers.error ? <ProblemNotice error={dossiers.error} what="the dossiers" /> : null}
      {dossiers.loading && !d ? <Loading what="the dossiers" /> : null}
      {d ? (
        <div class="grid grid-wide">
          <Section
            title="Readiness"
            id="readiness"
            actions={may(role, 'dossier:export') ? <ExportButton tenant={tenant} onStarted={dossiers.reload} /> : null}
          >
            <p>
              <Badge value={d.readiness.status} />{' '}
              {d.readiness.status === 'ready'
                ? 'The latest version covers everything as it is now.'
                : d.readiness.status === 'stale'
                  ? 'Changed since the latest version:'
                  : 'No version has been exported yet.'}
            </p>
            {d.readiness.changed.length > 0 ? (
              <ul>
                {d.readiness.changed.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
            ) : null}
            <p class="muted small">Checked {formatDateTime(d.readiness.checkedAt)}.</p>
          </Section>
          <Section title="Versions" id="versions">
            {d.versions.length === 0 ? <p>No version yet.</p> : null}
            <ol class="versions plain">
              {d.versions.map((v) => (
                <VersionRow key={v.version} tenant={tenant} version={v} role={role} />
              ))}
            </ol>
          </Section>
          {bagCommands.length > 0 ? (
            <Section title="How a successor verifies it" id="verify">
              <p>
                With stock tools only (<code>sha256sum</code>, <code>unzip</code>, <code>openssl</code>): each command
                must succeed. The first two run where the download is, the others inside the unzipped bag.
              </p>
              <TableRegion label="Verification commands">
                <table>
                  <caption class="sr-only">The successor's verification commands, in order</caption>
                  <thead>
                    <tr>
                      <th scope="col">Where</th>
                      <th scope="col">Command</th>
                      <th scope="col">What it proves</th>
                    </tr>
                  </thead>
                  <tbody>
                    {bagCommands.map((c) => (
                      <tr key={c.line}>
                        <td>{c.cwd === 'download' ? 'download folder' : 'inside the bag'}</td>
                        <td>
                          <code class="command">{c.line}</code>
                        </td>
                        <td>{c.proves}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableRegion>
            </Section>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
