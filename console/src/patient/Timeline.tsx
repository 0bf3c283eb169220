/**
 * A patient's timeline: every event, oldest first, with its type, when it occurred and was
 * recorded, and where it came from (channel, source system, control id), read page by page
 * with the timeline's cursor; for auditors each event's raw source message on demand and the
 * patient's hash-chain check. I/O (through api.ts).
 */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { type Load, useLoad } from '../load.js';
import type { Session } from '../signIn.js';
import type { PatientAccess } from './patientAccess.js';
import type { ChainVerdict, EventDetail, TimelineEvent, TimelinePage } from './patientTypes.js';

const PAGE = 200;
const MAX_PAGES = 50;

/** Every event of the patient's timeline, following the cursor until a page comes back short. */
export async function loadTimeline(session: Session, nhs: string): Promise<readonly TimelineEvent[]> {
  const events: TimelineEvent[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ limit: String(PAGE), ...(cursor === null ? {} : { cursor }) });
    const body: TimelinePage = await apiGet<TimelinePage>(session, `/audit/patients/${nhs}/timeline?${query}`);
    events.push(...body.events);
    if (body.events.length < PAGE || body.cursor === null || body.cursor === cursor) break;
    cursor = body.cursor;
  }
  return events;
}

function SourceMessage({ session, eventId }: { session: Session; eventId: string }) {
  const detail = useLoad(eventId, () => apiGet<EventDetail>(session, `/audit/events/${encodeURIComponent(eventId)}`));
  if (detail.state === 'failed') return <p role="alert">Could not load the source message: {detail.error}</p>;
  if (detail.state !== 'done') return <p>Loading…</p>;
  const receipt = detail.value.records.find((r) => r.receipt !== null)?.receipt;
  if (receipt == null) return <p>No source message is kept for this event.</p>;
  return (
    <figure>
      <figcaption>Source message ({receipt.contentType})</figcaption>
      <pre class="source-message" data-testid="source-message">
        {receipt.payloadEncoding === 'utf8' ? receipt.payload.replace(/\r/g, '\n') : receipt.payload}
      </pre>
    </figure>
  );
}

function ChainStatus({ session, nhs }: { session: Session; nhs: string }) {
  const verdict = useLoad(nhs, () => apiGet<ChainVerdict>(session, `/audit/patients/${nhs}/verify`));
  return (
    <p>
      Hash chain:{' '}
      <output data-testid="chain-status">
        {verdict.state === 'done'
          ? verdict.value.ok
            ? `intact (${verdict.value.entries} entries)`
            : `broken: ${verdict.value.firstBrokenLink?.reason ?? 'records are missing'}`
          : verdict.state === 'failed'
            ? `unavailable (${verdict.error})`
            : '…'}
      </output>
    </p>
  );
}

export function Timeline({
  session,
  nhs,
  access,
  timeline,
}: {
  session: Session;
  nhs: string;
  access: PatientAccess;
  timeline: Load<readonly TimelineEvent[]>;
}) {
  const [open, setOpen] = useState<string>();
  return (
    <section aria-labelledby="timeline-title">
      <h3 id="timeline-title">Timeline</h3>
      {access.chain && <ChainStatus session={session} nhs={nhs} />}
      {timeline.state === 'loading' && <p>Loading…</p>}
      {timeline.state === 'failed' && <p role="alert">Could not load the timeline: {timeline.error}</p>}
      {timeline.state === 'done' && (
        <table data-testid="timeline">
          <caption>{timeline.value.length} events, oldest first; where each came from is its provenance</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Occurred</th>
              <th scope="col">Recorded</th>
              <th scope="col">Channel</th>
              <th scope="col">Source system</th>
              <th scope="col">Control id</th>
              {access.sourceMessage && <th scope="col">Source message</th>}
            </tr>
          </thead>
          <tbody>
            {timeline.value.map((event) => (
              <Fragment key={event.eventId}>
                <tr>
                  <td>{event.type}</td>
                  <td>
                    <time dateTime={event.occurredAt}>{event.occurredAt}</time>
                  </td>
                  <td>
                    <time dateTime={event.recordedAt}>{event.recordedAt}</time>
                  </td>
                  <td>{event.source.channel}</td>
                  <td>{event.source.system}</td>
                  <td>{event.source.messageId}</td>
                  {access.sourceMessage && (
                    <td>
                      <button
                        type="button"
                        aria-expanded={open === event.eventId}
                        onClick={() => setOpen(open === event.eventId ? undefined : event.eventId)}
                      >
                        {open === event.eventId ? 'Hide' : 'Show'} source message
                      </button>
                    </td>
                  )}
                </tr>
                {access.sourceMessage && open === event.eventId && (
                  <tr>
                    <td colSpan={7}>
                      <SourceMessage session={session} eventId={event.eventId} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
