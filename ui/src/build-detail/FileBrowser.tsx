import { useCallback, useState } from 'react';
import { ApiError, errorMessage, isNotFound } from '../api.ts';
import { listWorkspaceFolder, readWorkspaceFile } from '../builds.ts';
import { CodeView } from '../components/CodeView.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { formatBytes, formatDateTime } from '../format.ts';
import type { WorkspaceEntry } from '../types.ts';
import { usePolling } from '../usePolling.ts';

/**
 * The newest saved workspace (artifact, or latest checkpoint), folder by folder, with a viewer
 * for text files. `version` changes when a newer workspace may exist, which reloads the folder.
 */
export function FileBrowser({ buildId, version }: { buildId: string; version: string }) {
  const [path, setPath] = useState('');
  const [openFile, setOpenFile] = useState<string | null>(null);
  const fetchFolder = useCallback(
    (signal: AbortSignal) => listWorkspaceFolder(buildId, path, signal).then((listing) => ({ ...listing, requested: path })),
    // `version` is not read: a new value only asks for a fresh read.
    [buildId, path, version],
  );
  const folder = usePolling(fetchFolder, 0, false);

  if (isNotFound(folder.error) && !folder.data) {
    return <p className="muted">{errorMessage(folder.error)}</p>;
  }
  const listing = folder.data?.requested === path ? folder.data : undefined;
  const crumbs = path === '' ? [] : path.split('/');

  return (
    <div className="file-browser">
      <nav aria-label="Folder path" className="file-browser__crumbs">
        <ol>
          <li>
            <button type="button" className="link-button" onClick={() => { setPath(''); setOpenFile(null); }} aria-current={path === '' ? 'location' : undefined}>
              workspace
            </button>
          </li>
          {crumbs.map((name, index) => {
            const target = crumbs.slice(0, index + 1).join('/');
            return (
              <li key={target}>
                <button type="button" className="link-button" onClick={() => { setPath(target); setOpenFile(null); }} aria-current={target === path ? 'location' : undefined}>
                  {name}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      {folder.error !== null && <ErrorNotice error={folder.error} title="Could not list this folder" onRetry={folder.refresh} />}
      {!listing ? (
        !folder.error && <Loading label="Loading files…" inline />
      ) : (
        <>
          <p className="file-browser__source muted">
            {listing.source.kind === 'artifact' ? 'The saved workspace archive' : `Checkpoint after session ${listing.source.iteration ?? '?'}`}, {formatDateTime(listing.source.createdAt)}
            {listing.source.fileCount !== null ? ` · ${listing.source.fileCount} files` : ''}
          </p>
          {listing.entries.length === 0 ? (
            <p className="muted">This folder is empty.</p>
          ) : (
            <ul className="file-list" aria-label={`Files in ${path || 'the workspace'}`}>
              {sortEntries(listing.entries).map((entry) => (
                <li key={entry.path}>
                  <button
                    type="button"
                    className={`file-list__item file-list__item--${entry.type}${openFile === entry.path ? ' file-list__item--open' : ''}`}
                    onClick={() => {
                      if (entry.type === 'directory') {
                        setPath(entry.path);
                        setOpenFile(null);
                      } else setOpenFile(entry.path);
                    }}
                    aria-pressed={entry.type === 'directory' ? undefined : openFile === entry.path}
                    data-testid="file-entry"
                  >
                    <EntryIcon type={entry.type} />
                    <span className="file-list__name">
                      {entry.name}
                      {entry.type === 'directory' && <span className="visually-hidden"> (folder)</span>}
                    </span>
                    <span className="file-list__size muted">{entry.type === 'directory' ? '' : entry.sizeBytes !== null ? formatBytes(entry.sizeBytes) : ''}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {listing.truncated && <p className="muted">This folder holds more files than are listed; download the workspace to see them all.</p>}
        </>
      )}
      {openFile && <FileViewer buildId={buildId} path={openFile} version={version} onClose={() => setOpenFile(null)} />}
    </div>
  );
}

/** Folder and file outlines drawn in SVG: emoji depend on fonts a server or phone may lack. */
function EntryIcon({ type }: { type: WorkspaceEntry['type'] }) {
  return (
    <svg className="file-list__icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      {type === 'directory' ? (
        <path d="M1.5 3.5h4l1.5 1.5h7.5v8h-13z" fill="currentColor" fillOpacity="0.15" stroke="currentColor" strokeLinejoin="round" />
      ) : (
        <path d="M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3" fill="none" stroke="currentColor" strokeLinejoin="round" />
      )}
      {type === 'symlink' && <path d="M6 11l3-3M6.5 8H9v2.5" fill="none" stroke="currentColor" />}
    </svg>
  );
}

function sortEntries(entries: WorkspaceEntry[]): WorkspaceEntry[] {
  return [...entries].sort((a, b) => (a.type === 'directory') === (b.type === 'directory') ? a.name.localeCompare(b.name) : a.type === 'directory' ? -1 : 1);
}

function FileViewer({ buildId, path, version, onClose }: { buildId: string; path: string; version: string; onClose: () => void }) {
  const fetchFile = useCallback(
    (signal: AbortSignal) => readWorkspaceFile(buildId, path, signal).then((text) => ({ path, text })),
    // `version` is not read: a new value only asks for a fresh read.
    [buildId, path, version],
  );
  const file = usePolling(fetchFile, 0, false);
  const current = file.data?.path === path ? file.data : undefined;
  const unreadable = file.error instanceof ApiError && (file.error.status === 413 || file.error.status === 422);

  return (
    <section className="file-viewer" aria-label={`File ${path}`}>
      <div className="file-viewer__header">
        <h3 className="file-viewer__title">{path}</h3>
        <button type="button" className="button button--ghost button--small" onClick={onClose}>
          Close file
        </button>
      </div>
      {unreadable ? (
        <p className="muted">{errorMessage(file.error)} Download the workspace to open it.</p>
      ) : file.error !== null ? (
        <ErrorNotice error={file.error} title="Could not open this file" onRetry={file.refresh} />
      ) : !current ? (
        <Loading label="Opening file…" inline />
      ) : (
        <CodeView text={current.text} label={`Content of ${path}`} testId="file-content" />
      )}
    </section>
  );
}
