import { api, type Wire } from '../api.js';
import { useLoad } from '../hooks.js';
import { ActionForm, text } from '../ui.js';

/** Vendor staff: an admin API key, exchanged once for a session cookie. Customers: their identity provider. */
export function SignIn({ onSignedIn }: { onSignedIn: (s: Wire<'dashboardSession'>) => void }) {
  const providers = useLoad(() => api<Wire<'signInProviders'>>('GET', '/dashboard/api/providers'), 'providers');
  // Staff land on the vendor views, everyone else on the portal: the app chooses by the session.
  const back = encodeURIComponent('/dashboard/');
  return (
    <main className="sign-in">
      <h1>Sign in to Leasehold</h1>
      {providers.data?.providers.length ? (
        <section aria-labelledby="people">
          <h2 id="people">With your account</h2>
          <ul className="providers">
            {providers.data.providers.map((p) => (
              <li key={p}>
                <a className="button" href={`/auth/${p}/start?redirect_to=${back}`}>
                  Sign in with {p}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="key">
        <h2 id="key">With an admin API key</h2>
        <p className="muted">The key is sent once and exchanged for a session; this browser does not keep it.</p>
        <ActionForm
          label="Sign in"
          busyLabel="Signing in…"
          onSubmit={async (d) => {
            onSignedIn(await api<Wire<'dashboardSession'>>('POST', '/dashboard/api/session', { apiKey: text(d, 'apiKey') ?? '' }));
          }}
        >
          <label className="field">
            <span>Admin API key</span>
            <input name="apiKey" type="password" autoComplete="off" required />
          </label>
        </ActionForm>
      </section>
    </main>
  );
}
