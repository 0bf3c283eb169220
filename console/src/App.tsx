/**
 * The console's shell: sign-in, the signed-in caller's role, a navigation with the sections
 * the role may use, and each section. The sections are the first of their kind: the operations
 * section counts held inputs and the patient section (patient/) finds a patient's timeline and
 * record; the rest says what will be there. The page title never carries patient data. I/O (through signIn.ts and api.ts).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { apiGet } from './api.js';
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

type Load<T> =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'done'; value: T }
  | { state: 'failed'; error: string };

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function OperationsSection({ session }: { session: Session }) {
  const [parked, setParked] = useState<Load<number>>({ state: 'loading' });
  useEffect(() => {
    apiGet<{ parked: unknown[] }>(session, '/admin/parked').then(
      (body) => setParked({ state: 'done', value: body.parked.length }),
      (error: unknown) => setParked({ state: 'failed', error: message(error) }),
    );
  }, [session]);
  return (
    <>
      <h2 id="section-title">Operations</h2>
      <p>
        Parked inputs:{' '}
        <output data-testid="parked-count">
          {parked.state === 'done' ? parked.value : parked.state === 'failed' ? `unavailable (${parked.error})` : '…'}
        </output>
      </p>
      <p class="placeholder">
        To come here: the held and refused inputs, dead letters and re-drives, view lag and health.
      </p>
    </>
  );
}

function AuditSection() {
  return (
    <>
      <h2 id="section-title">Audit</h2>
      <p class="placeholder">
        To come here: the audit trail with source messages, chain checks and anchors, and who looked at a patient.
      </p>
    </>
  );
}

function SectionView({ id, session }: { id: SectionId; session: Session }) {
  if (id === 'operations') return <OperationsSection session={session} />;
  if (id === 'patient') return <PatientSection session={session} />;
  return <AuditSection />;
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
