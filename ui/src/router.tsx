import { createBrowserRouter } from 'react-router';
import { setUnauthorizedHandler } from './api.ts';
import { requireUserLoader, signInPageLoader, signInPath } from './auth.ts';
import { AppLayout } from './components/AppLayout.tsx';
import { Loading } from './components/Loading.tsx';
import { RouteError } from './components/RouteError.tsx';
import { BuildList } from './pages/BuildList.tsx';
import { Dashboard } from './pages/Dashboard.tsx';
import { NewBuild } from './pages/NewBuild.tsx';
import { NewSpec } from './pages/NewSpec.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { ProjectDetail } from './pages/ProjectDetail.tsx';
import { ProjectList } from './pages/ProjectList.tsx';
import { Settings } from './pages/Settings.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { SpecDetail } from './pages/SpecDetail.tsx';
import { SpecList } from './pages/SpecList.tsx';

const startupFallback = (
  <div className="page">
    <Loading />
  </div>
);

export const router = createBrowserRouter([
  {
    path: '/signin',
    loader: signInPageLoader,
    element: <SignIn />,
    errorElement: <RouteError />,
    hydrateFallbackElement: startupFallback,
  },
  {
    // Everything else needs a session; the loader sends visitors to /signin.
    id: 'app',
    path: '/',
    loader: requireUserLoader,
    // Check the session on entry and on explicit retries, not on every filter
    // change: a lapsed session still surfaces as a 401 on the next API call.
    shouldRevalidate: ({ currentUrl, nextUrl, defaultShouldRevalidate }) => defaultShouldRevalidate && currentUrl.href === nextUrl.href,
    element: <AppLayout />,
    errorElement: <RouteError />,
    hydrateFallbackElement: startupFallback,
    children: [
      { index: true, element: <Dashboard /> },
      { path: 'builds', element: <BuildList /> },
      { path: 'builds/new', element: <NewBuild /> },
      // The build page brings the chart library and most of the code: loaded when first opened.
      { path: 'builds/:id', lazy: async () => ({ Component: (await import('./pages/BuildDetail.tsx')).BuildDetail }) },
      { path: 'specs', element: <SpecList /> },
      { path: 'specs/new', element: <NewSpec /> },
      { path: 'specs/:id', element: <SpecDetail /> },
      { path: 'projects', element: <ProjectList /> },
      { path: 'projects/:id', element: <ProjectDetail /> },
      { path: 'settings', element: <Settings /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

// Any 401 from the API means the session ended: sign in again, then come back here.
setUnauthorizedHandler(() => {
  const { pathname, search } = window.location;
  if (pathname === '/signin') return;
  void router.navigate(signInPath(pathname + search), { replace: true });
});
