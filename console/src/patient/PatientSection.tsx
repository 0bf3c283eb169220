/**
 * The console's patient pages: a search by NHS number (checked as ten digits before any call,
 * kept in the page's state only: never in the title, the address or the history), then the
 * patient's timeline and, for the roles that may read them, the GP, pharmacy and care-plan
 * views with an as-of slider over the patient's event times. I/O (through api.ts).
 */
import { useState } from 'preact/hooks';
import './patient.css';
import { useLoad } from '../load.js';
import type { Session } from '../signIn.js';
import { asOfStops, NOW, nhsNumberOf } from './asOfStops.js';
import { patientAccess } from './patientAccess.js';
import { RecordViews } from './RecordViews.js';
import { loadTimeline, Timeline } from './Timeline.js';

export function PatientSection({ session }: { session: Session }) {
  const access = patientAccess(session.roles);
  const [text, setText] = useState(session.patient ?? '');
  const [invalid, setInvalid] = useState(false);
  const [nhs, setNhs] = useState<string>();
  const timeline = useLoad(access.timeline ? nhs : undefined, () => loadTimeline(session, nhs ?? ''));
  const search = (event: Event) => {
    event.preventDefault();
    const number = nhsNumberOf(text);
    setInvalid(number === undefined);
    setNhs(number);
  };
  const stops = timeline.state === 'done' ? asOfStops(timeline.value) : [NOW];
  return (
    <>
      <h2 id="section-title">Patient</h2>
      <search aria-label="Find a patient">
        <form onSubmit={search} noValidate>
          <label for="nhs-number">NHS number</label>
          <input
            id="nhs-number"
            name="nhs-number"
            inputMode="numeric"
            autoComplete="off"
            aria-describedby="nhs-number-hint"
            aria-invalid={invalid}
            value={text}
            onInput={(event) => setText((event.target as HTMLInputElement).value)}
          />
          <button type="submit">{access.gpSummary ? 'Find patient and load GP summary' : 'Find patient'}</button>
          <p id="nhs-number-hint" class="hint">
            Ten digits; spaces are ignored.
          </p>
          {invalid && <p role="alert">An NHS number is ten digits: check the number and search again.</p>}
        </form>
      </search>
      {nhs !== undefined && (
        <div class="patient">
          {/* Keyed by the stops' count so the slider starts at now for each patient and each new load. */}
          {(timeline.state === 'done' || !access.timeline) && (
            <RecordViews key={`${nhs} ${stops.length}`} session={session} nhs={nhs} access={access} stops={stops} />
          )}
          {access.timeline && <Timeline session={session} nhs={nhs} access={access} timeline={timeline} />}
        </div>
      )}
    </>
  );
}
