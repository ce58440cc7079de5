import { useEffect, useState } from 'react';
import { apiKey, setApiKey, unauthorized } from './api';
import { navigate, onLink, useLocation } from './router';
import { SignIn } from './pages/SignIn';
import { Models } from './pages/Models';
import { Datasets } from './pages/Datasets';
import { Jobs } from './pages/Jobs';
import { Launch } from './pages/Launch';
import { JobDetail } from './pages/JobDetail';
import { Compare } from './pages/Compare';
import { Admin } from './pages/Admin';

const NAV = [
  ['/jobs', 'Jobs'],
  ['/launch', 'Launch'],
  ['/models', 'Models'],
  ['/datasets', 'Datasets'],
  ['/compare', 'Compare'],
  ['/admin', 'Admin'],
] as const;

export function App() {
  const { path } = useLocation();
  const [signedIn, setSignedIn] = useState(apiKey() != null);
  useEffect(() => {
    const f = () => setSignedIn(false);
    unauthorized.addEventListener('401', f);
    return () => unauthorized.removeEventListener('401', f);
  }, []);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  if (path === '/' || path === '') navigate('/jobs', true);

  let page: React.ReactNode;
  const job = path.match(/^\/jobs\/([0-9a-f-]{36})$/);
  if (job) page = <JobDetail id={job[1]} />;
  else if (path.startsWith('/jobs')) page = <Jobs />;
  else if (path.startsWith('/launch')) page = <Launch />;
  else if (path.startsWith('/models')) page = <Models />;
  else if (path.startsWith('/datasets')) page = <Datasets />;
  else if (path.startsWith('/compare')) page = <Compare />;
  else if (path.startsWith('/admin')) page = <Admin />;
  else page = <p>Not found: {path}</p>;

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href="/jobs" onClick={onLink}>
          SliceFine
        </a>
        <nav aria-label="main">
          {NAV.map(([href, label]) => (
            <a key={href} href={href} onClick={onLink} aria-current={path.startsWith(href) ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <button
          className="link"
          onClick={() => {
            setApiKey(null);
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}
