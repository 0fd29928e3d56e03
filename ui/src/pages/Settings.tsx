import { useCallback, useId, useRef, useState, type FormEvent } from 'react';
import { useRouteLoaderData } from 'react-router';
import { errorMessage } from '../api.ts';
import type { requireUserLoader } from '../auth.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { formatDateTime, formatRelative } from '../format.ts';
import { createToken, listTokens, revokeToken } from '../tokens.ts';
import type { ApiToken, CreatedApiToken } from '../types.ts';
import { usePolling } from '../usePolling.ts';

export function Settings() {
  const user = useRouteLoaderData<typeof requireUserLoader>('app');
  return (
    <>
      <title>Settings · Autonomous Agents</title>
      <PageHeader title="Settings" />
      {user && (
        <section className="card" aria-labelledby="account-title">
          <h2 id="account-title" className="card__title">
            Account
          </h2>
          <dl className="facts facts--compact">
            <div className="facts__item">
              <dt>Email</dt>
              <dd>{user.email}</dd>
            </div>
            <div className="facts__item">
              <dt>Name</dt>
              <dd>{user.name ?? '—'}</dd>
            </div>
            <div className="facts__item">
              <dt>Member since</dt>
              <dd>{formatDateTime(user.createdAt)}</dd>
            </div>
          </dl>
        </section>
      )}
      <ApiTokens />
    </>
  );
}

/** Tokens for scripts and CI: `Authorization: Bearer <token>`. The secret is shown once, on creation. */
function ApiTokens() {
  const fetchTokens = useCallback((signal: AbortSignal) => listTokens(signal), []);
  const { data, error, refresh } = usePolling(fetchTokens, 0, false);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [busy, setBusy] = useState(false);
  const [revokeError, setRevokeError] = useState<unknown>(null);
  const [revoked, setRevoked] = useState<string | null>(null);

  async function revoke() {
    if (!revoking) return;
    setBusy(true);
    setRevokeError(null);
    try {
      await revokeToken(revoking.id);
      setRevoked(`Token “${revoking.name}” revoked; it no longer works.`);
      setRevoking(null);
      refresh();
    } catch (failure) {
      setRevokeError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title" className="card__title">
        API tokens
      </h2>
      <p className="muted">
        Scripts and CI use the API with <code>Authorization: Bearer &lt;token&gt;</code>. A token acts as you; revoke it when it is no longer needed.
      </p>
      <NewTokenForm
        onCreated={(token) => {
          setCreated(token);
          setRevoked(null);
          refresh();
        }}
      />
      {created && <NewTokenSecret token={created} onDismiss={() => setCreated(null)} />}
      {revoked && (
        <p className="notice notice--success" role="status">
          {revoked}
        </p>
      )}
      {error !== null && <ErrorNotice error={error} title="Could not load your tokens" onRetry={refresh} />}
      {!data ? (
        !error && <Loading label="Loading tokens…" />
      ) : data.length === 0 ? (
        <EmptyState title="No API tokens" headingLevel={3}>
          Create one above to use the API from a script.
        </EmptyState>
      ) : (
        <div className="table-card table-card--flat">
          <table className="data-table data-table--cards">
            <caption className="visually-hidden">Your API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((token) => (
                <tr key={token.id} data-testid="token-row">
                  <td data-label="Name" className="data-table__name">
                    {token.name}
                  </td>
                  <td data-label="Created">{formatDateTime(token.createdAt)}</td>
                  <td data-label="Last used">{token.lastUsedAt ? formatRelative(token.lastUsedAt) : 'Never'}</td>
                  <td data-label="" className="data-table__actions">
                    <button type="button" className="button button--ghost-danger button--small" onClick={() => setRevoking(token)} aria-label={`Revoke ${token.name}`}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this token?"
        confirmLabel="Revoke token"
        busyLabel="Revoking…"
        tone="danger"
        busy={busy}
        error={revokeError}
        onConfirm={revoke}
        onClose={() => {
          setRevoking(null);
          setRevokeError(null);
        }}
      >
        <p>
          Scripts using <strong>{revoking?.name}</strong> will get “401 Unauthorized” from now on. This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function NewTokenForm({ onCreated }: { onCreated: (token: CreatedApiToken) => void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!name.trim()) return setError(new Error('Name the token after what will use it, e.g. “CI”.'));
    setSubmitting(true);
    setError(null);
    try {
      onCreated(await createToken(name.trim()));
      setName('');
    } catch (failure) {
      setError(failure);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <form className="form form--row" onSubmit={handleSubmit}>
      <div className="field">
        <label htmlFor={`${id}-name`}>Token name</label>
        <input id={`${id}-name`} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. CI" />
      </div>
      <button type="submit" className="button" disabled={submitting}>
        {submitting ? 'Creating…' : 'Create token'}
      </button>
      {error !== null && (
        <div className="notice notice--error form__full" role="alert">
          <p className="notice__body">{errorMessage(error)}</p>
        </div>
      )}
    </form>
  );
}

function NewTokenSecret({ token, onDismiss }: { token: CreatedApiToken; onDismiss: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied('yes');
    } catch {
      // Clipboard access can be refused (insecure origin, permissions): select it for a manual copy.
      inputRef.current?.select();
      setCopied('failed');
    }
  }

  return (
    <div className="notice notice--success token-secret" role="status" data-testid="new-token">
      <div className="token-secret__body">
        <p className="notice__title">Token “{token.name}” created. Copy it now: it is not shown again.</p>
        <div className="token-secret__row">
          <input ref={inputRef} readOnly value={token.token} aria-label="New API token" className="token-secret__value" onFocus={(e) => e.target.select()} />
          <button type="button" className="button button--secondary" onClick={copy}>
            {copied === 'yes' ? 'Copied' : 'Copy'}
          </button>
        </div>
        {copied === 'failed' && <p className="field__hint">Copying was blocked by the browser; the token is selected, press Ctrl+C.</p>}
      </div>
      <button type="button" className="button button--ghost" onClick={onDismiss}>
        Done
      </button>
    </div>
  );
}
