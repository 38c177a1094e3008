import { useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken, type Wire } from './api.js';
import { ApiKeys } from './pages/ApiKeys.js';
import { Audit } from './pages/Audit.js';
import { Catalog } from './pages/Catalog.js';
import { LicensePage } from './pages/License.js';
import { Licenses } from './pages/Licenses.js';
import { Organisations } from './pages/Organisations.js';
import { Overview } from './pages/Overview.js';
import { Portal } from './pages/Portal.js';
import { SignIn } from './pages/SignIn.js';
import { Usage } from './pages/Usage.js';
import { Link, navigate, usePath } from './router.js';
import { ErrorBox } from './ui.js';

type Session = Wire<'dashboardSession'>;

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const path = usePath();
  const accept = (s: Session | null) => {
    setCsrfToken(s?.csrfToken ?? null);
    setSession(s);
  };
  useEffect(() => {
    api<Session>('GET', '/dashboard/api/session').then(
      (s) => {
        setCsrfToken(s.csrfToken);
        setSession(s);
      },
      (e) => (e instanceof ApiError && e.status === 401 ? setSession(null) : setError(e)),
    );
  }, []);
  if (error) return <ErrorBox error={error} />;
  if (session === undefined) return <p className="muted">Loading…</p>;
  if (session === null) {
    return (
      <SignIn
        onSignedIn={(s) => {
          accept(s);
          navigate('/');
        }}
      />
    );
  }
  const signOut = async () => {
    await api('DELETE', '/dashboard/api/session').catch(() => undefined);
    accept(null);
  };
  const vendor = session.kind === 'api-key' || session.staff;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <strong>Leasehold</strong>
        <nav aria-label="Sections">
          {vendor ? (
            <>
              <Link to="/">Overview</Link>
              <Link to="/catalog">Products</Link>
              <Link to="/organisations">Organisations</Link>
              <Link to="/licenses">Licenses</Link>
              <Link to="/usage">Usage</Link>
              <Link to="/api-keys">API keys</Link>
              <Link to="/audit">Audit</Link>
            </>
          ) : (
            <Link to="/portal">My organisations</Link>
          )}
        </nav>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main">
        {session.kind === 'user' && !session.staff ? <Portal me={session.me} orgId={/^\/portal\/([^/]+)/.exec(path)?.[1]} /> : <VendorRoutes path={path} />}
      </main>
    </>
  );
}

function VendorRoutes({ path }: { path: string }) {
  const license = /^\/licenses\/([^/]+)$/.exec(path)?.[1];
  if (license) return <LicensePage id={license} />;
  switch (path) {
    case '/':
      return <Overview />;
    case '/catalog':
      return <Catalog />;
    case '/organisations':
      return <Organisations />;
    case '/licenses':
      return <Licenses />;
    case '/usage':
      return <Usage />;
    case '/api-keys':
      return <ApiKeys />;
    case '/audit':
      return <Audit />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>No page {path}.</p>
        </section>
      );
  }
}
