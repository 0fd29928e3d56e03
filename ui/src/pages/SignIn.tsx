import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { errorMessage } from '../api.ts';
import { logIn, safeNextPath, signUp } from '../auth.ts';

type Mode = 'signin' | 'signup';

/** One form for both signing in and creating an account. */
export function SignIn() {
  const [mode, setMode] = useState<Mode>('signin');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const isSignUp = mode === 'signup';

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      if (isSignUp) {
        await signUp({ email, password, ...(name.trim() ? { name: name.trim() } : {}) });
      } else {
        await logIn({ email, password });
      }
      await navigate(safeNextPath(searchParams.get('next')), { replace: true });
    } catch (failure) {
      setError(failure);
      setSubmitting(false);
    }
  }

  function switchMode() {
    setMode(isSignUp ? 'signin' : 'signup');
    setError(null);
  }

  const title = isSignUp ? 'Create your account' : 'Sign in';
  return (
    <main id="main" className="auth">
      <title>{`${title} · Autonomous Agents`}</title>
      <div className="auth__card card">
        <p className="brand brand--static">
          <span className="brand__mark" aria-hidden="true" />
          Autonomous Agents
        </p>
        <h1>{title}</h1>
        <p className="muted">Plan once, build autonomously.</p>

        <form className="form" onSubmit={handleSubmit}>
          {isSignUp && (
            <div className="field">
              <label htmlFor="signin-name">
                Name <span className="field__optional">(optional)</span>
              </label>
              <input id="signin-name" name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
            </div>
          )}
          <div className="field">
            <label htmlFor="signin-email">Email</label>
            <input
              id="signin-email"
              name="email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="signin-password">Password</label>
            <input
              id="signin-password"
              name="password"
              type="password"
              autoComplete={isSignUp ? 'new-password' : 'current-password'}
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>

          {error !== null && (
            <div className="notice notice--error" role="alert">
              <p className="notice__body">{errorMessage(error)}</p>
            </div>
          )}

          <button type="submit" className="button button--block" disabled={submitting}>
            {submitting ? 'Please wait…' : isSignUp ? 'Create account' : 'Sign in'}
          </button>
        </form>

        <p className="auth__switch">
          {isSignUp ? 'Already have an account?' : 'New here?'}{' '}
          <button type="button" className="link-button" onClick={switchMode}>
            {isSignUp ? 'Sign in' : 'Create an account'}
          </button>
        </p>
      </div>
    </main>
  );
}
