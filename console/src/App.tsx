/**
 * The console's shell: sign-in, the signed-in caller's role, a navigation with the sections
 * the role may use, and each section. The operations section (operations/) lists held inputs and dead letters
 * with re-drives and charts lag and rates; the patient section (patient/) finds a patient's timeline and
 * record; the audit section (audit/) lists who viewed a record and verifies its chain. The page title never carries patient data. I/O (through signIn.ts and api.ts).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { AuditSection } from './audit/AuditSection.js';
import { message } from './load.js';
import { OperationsSection } from './operations/OperationsSection.js';
import { PatientSection } from './patient/PatientSection.js';
import { type Section, type SectionId, sectionsFor } from './sections.js';
import {
  type ConsoleConfig,
  completeSignIn,
  currentSession,
  isCallback,
  loadConfig,
  type Session,
  signOut,
  startSignIn,
} from './signIn.js';

function SectionView({ id, session }: { id: SectionId; session: Session }) {
  if (id === 'operations') return <OperationsSection session={session} />;
  if (id === 'patient') return <PatientSection session={session} />;
  return <AuditSection session={session} />;
}

function SignedIn({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const allowed = sectionsFor(session.roles);
  const [current, setCurrent] = useState<Section | undefined>(allowed[0]);
  const heading = useRef<HTMLElement>(null);
  const choose = (section: Section) => {
    setCurrent(section);
    requestAnimationFrame(() => heading.current?.focus());
  };
  return (
    <>
      <header>
        <p class="brand">Clinical event log</p>
        <p>
          Signed in as <strong data-testid="signed-in-role">{session.roles.join(', ') || 'no role'}</strong>
          {session.patient === undefined ? '' : ' for one patient'}
        </p>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Sections">
        <ul>
          {allowed.map((section) => (
            <li key={section.id}>
              <a
                href={`#${section.id}`}
                aria-current={current?.id === section.id ? 'page' : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  choose(section);
                }}
              >
                {section.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main ref={heading} tabIndex={-1} aria-labelledby="section-title">
        {current === undefined ? (
          <p id="section-title">This role has no section in the console.</p>
        ) : (
          <SectionView id={current.id} session={session} />
        )}
      </main>
    </>
  );
}

export function App() {
  const [config, setConfig] = useState<ConsoleConfig>();
  const [session, setSession] = useState<Session | undefined>(() => (isCallback() ? undefined : currentSession()));
  const [error, setError] = useState<string>();
  useEffect(() => {
    loadConfig()
      .then(async (loaded) => {
        setConfig(loaded);
        if (isCallback()) setSession(await completeSignIn(loaded));
      })
      .catch((failure: unknown) => setError(message(failure)));
  }, []);
  if (session !== undefined)
    return (
      <SignedIn
        session={session}
        onSignOut={() => {
          signOut();
          setSession(undefined);
        }}
      />
    );
  return (
    <main aria-labelledby="welcome">
      <h1 id="welcome">Clinical event log console</h1>
      {error !== undefined && <p role="alert">{error}</p>}
      <button
        type="button"
        disabled={config === undefined}
        onClick={() => {
          if (config !== undefined) startSignIn(config).catch((failure: unknown) => setError(message(failure)));
        }}
      >
        Sign in
      </button>
    </main>
  );
}
