import { artifactDownloadUrl } from '../builds.ts';
import { formatBytes, formatDateTime } from '../format.ts';
import { isActiveStatus, type Build } from '../types.ts';
import { FileBrowser } from './FileBrowser.tsx';

/** The result: the workspace archive to download, and the newest saved workspace to browse. */
export function WorkspacePanel({ build }: { build: Build }) {
  const { artifact } = build;
  // A newer workspace is saved after each session and at the end: reload the browser then.
  const version = `${build.iteration}|${build.status}|${artifact?.sha256 ?? ''}`;
  return (
    <section className="card" aria-labelledby="workspace-title">
      <h2 id="workspace-title" className="card__title">
        Workspace
      </h2>
      {artifact ? (
        <div className="downloads">
          <p className="downloads__meta">
            Archive saved {formatDateTime(artifact.createdAt)}
            {artifact.sizeBytes !== null ? ` · ${formatBytes(artifact.sizeBytes)}` : ''}
            {artifact.fileCount ? ` · ${artifact.fileCount} files` : ''}
            <span className="downloads__hash muted" title={`SHA-256 ${artifact.sha256}`}>
              {' '}
              · sha256 {artifact.sha256.slice(0, 12)}…
            </span>
          </p>
          <div className="form__actions">
            <a className="button" href={artifactDownloadUrl(build.id, 'tar.gz')} download data-testid="download-tar">
              Download .tar.gz
            </a>
            <a className="button button--secondary" href={artifactDownloadUrl(build.id, 'zip')} download data-testid="download-zip">
              Download .zip
            </a>
          </div>
        </div>
      ) : (
        <p className="muted">
          {isActiveStatus(build.status)
            ? 'The workspace archive is saved when the build completes, is cancelled or fails. Meanwhile, browse the latest checkpoint below.'
            : 'This build has no saved archive.'}
        </p>
      )}
      <h3 className="card__subheading">Files</h3>
      <FileBrowser buildId={build.id} version={version} />
    </section>
  );
}
