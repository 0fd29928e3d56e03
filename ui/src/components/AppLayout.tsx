import { useState } from 'react';
import { Link, NavLink, Outlet, useLoaderData, useNavigate } from 'react-router';
import { errorMessage } from '../api.ts';
import { logOut, type requireUserLoader } from '../auth.ts';
import { ConnectionBanner } from './ConnectionBanner.tsx';

const NAV = [
  { to: '/', label: 'Dashboard', end: true },
  { to: '/builds', label: 'Builds', end: false },
  { to: '/specs', label: 'Specs', end: false },
  { to: '/projects', label: 'Projects', end: false },
  { to: '/settings', label: 'Settings', end: false },
];

/** The signed-in frame: top bar with navigation, the user's email and Sign out. */
export function AppLayout() {
  const user = useLoaderData<typeof requireUserLoader>();
  const navigate = useNavigate();
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<unknown>(null);

  async function handleSignOut() {
    setSigningOut(true);
    setSignOutError(null);
    try {
      await logOut();
      await navigate('/signin', { replace: true });
    } catch (error) {
      setSignOutError(error);
      setSigningOut(false);
    }
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <Link to="/" className="brand">
            <span className="brand__mark" aria-hidden="true" />
            Autonomous Agents
          </Link>
          <nav className="topbar__nav" aria-label="Main">
            {NAV.map((item) => (
              <NavLink key={item.to} to={item.to} end={item.end}>
                {item.label}
              </NavLink>
            ))}
          </nav>
          <div className="topbar__user">
            <Link to="/builds/new" className="button button--small">
              New build
            </Link>
            <span className="topbar__email" data-testid="user-email" title={user.email}>
              {user.email}
            </span>
            <button type="button" className="button button--ghost button--small" onClick={handleSignOut} disabled={signingOut}>
              {signingOut ? 'Signing out…' : 'Sign out'}
            </button>
          </div>
        </div>
      </header>
      <ConnectionBanner />
      {signOutError !== null && (
        <div className="page">
          <div className="notice notice--error" role="alert">
            <p className="notice__body">Could not sign out: {errorMessage(signOutError)}</p>
          </div>
        </div>
      )}
      <main id="main" className="page" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
