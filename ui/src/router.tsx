import { createBrowserRouter } from 'react-router';
import { setUnauthorizedHandler } from './api.ts';
import { requireUserLoader, signInPageLoader, signInPath } from './auth.ts';
import { AppLayout } from './components/AppLayout.tsx';
import { Loading } from './components/Loading.tsx';
import { RouteError } from './components/RouteError.tsx';
import { BuildDetail } from './pages/BuildDetail.tsx';
import { BuildList } from './pages/BuildList.tsx';
import { NewBuild } from './pages/NewBuild.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { SignIn } from './pages/SignIn.tsx';

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
    path: '/',
    loader: requireUserLoader,
    // Check the session on entry and on explicit retries, not on every filter
    // change: a lapsed session still surfaces as a 401 on the next API call.
    shouldRevalidate: ({ currentUrl, nextUrl, defaultShouldRevalidate }) =>
      defaultShouldRevalidate && currentUrl.href === nextUrl.href,
    element: <AppLayout />,
    errorElement: <RouteError />,
    hydrateFallbackElement: startupFallback,
    children: [
      { index: true, element: <BuildList /> },
      { path: 'builds/new', element: <NewBuild /> },
      { path: 'builds/:id', element: <BuildDetail /> },
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
