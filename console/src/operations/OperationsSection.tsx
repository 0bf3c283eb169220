/**
 * The operator's page: the parked, rejected and dead-lettered inputs with their reasons (never a
 * payload), each with a re-drive button whose answer is shown; live charts of each view's lag
 * (from /health) and of the ingest and acknowledgement rates (from /metrics), polled every few
 * seconds; rebuilds under way with their progress. I/O (through operationsApi.ts).
 */
import { useEffect, useState } from 'preact/hooks';
import { utcTime } from '../audit/chainVerdict.js';
import { message } from '../load.js';
import type { Session } from '../signIn.js';
import { LiveChart } from './LiveChart.js';
import { parseMetricsText, sumBy, sumOf } from './metricsText.js';
import {
  type DeadLetter,
  type HealthDetail,
  type HeldInput,
  listDeadLetters,
  listParked,
  listRejected,
  readHealth,
  readMetricsText,
  redrive,
} from './operationsApi.js';
import { appendPoint, emptyHistory, type History, type Reading, ratePerSecond } from './rates.js';

const POLL_MS = 3000;
const KEEP_POINTS = 100;

type Lists = {
  readonly parked?: readonly HeldInput[];
  readonly rejected?: readonly HeldInput[];
  readonly deadLetters?: readonly DeadLetter[];
  readonly error?: string;
};

/** The outcome of the last re-drive, said in the live region. */
type Notice = { readonly text: string; readonly failed: boolean };

function HeldTable({
  kind,
  title,
  rows,
  onRedrive,
  busy,
}: {
  kind: 'parked' | 'rejected';
  title: string;
  rows: readonly HeldInput[] | undefined;
  onRedrive: (path: string, label: string) => void;
  busy: boolean;
}) {
  const id = `${kind}-title`;
  return (
    <section aria-labelledby={id}>
      <h3 id={id}>
        {title} (<output data-testid={`${kind}-count`}>{rows === undefined ? '…' : rows.length}</output>)
      </h3>
      {rows !== undefined && rows.length === 0 ? (
        <p>None.</p>
      ) : (
        <table aria-labelledby={id} data-testid={`${kind}-table`}>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Received</th>
              <th scope="col">Channel</th>
              <th scope="col">Reason</th>
              <th scope="col">Where</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {(rows ?? []).map((row) => (
              <tr key={row.id}>
                <th scope="row">{row.id}</th>
                <td>{utcTime(row.receivedAt)}</td>
                <td>
                  {row.channel} {row.endpoint}
                </td>
                <td>
                  <code>{row.reasonCode}</code>: {row.reason}
                </td>
                <td>{row.location ?? '—'}</td>
                <td>
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() => onRedrive(`/admin/${kind}/${row.id}/redrive`, `${kind} input ${row.id}`)}
                  >
                    Re-drive {kind} input {row.id}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function DeadLetterTable({
  rows,
  onRedrive,
  busy,
}: {
  rows: readonly DeadLetter[] | undefined;
  onRedrive: (path: string, label: string) => void;
  busy: boolean;
}) {
  return (
    <section aria-labelledby="dead-letters-title">
      <h3 id="dead-letters-title">
        Dead letters (<output data-testid="dead-letter-count">{rows === undefined ? '…' : rows.length}</output>)
      </h3>
      {rows !== undefined && rows.length === 0 ? (
        <p>None.</p>
      ) : (
        <table aria-labelledby="dead-letters-title" data-testid="dead-letters-table">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">View</th>
              <th scope="col">Record</th>
              <th scope="col">Error</th>
              <th scope="col">Attempts</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {(rows ?? []).map((row) => (
              <tr key={row.id}>
                <th scope="row">{row.id}</th>
                <td>{row.view}</td>
                <td>
                  {row.topic} [{row.partition}] @{row.offset}
                </td>
                <td>
                  <code>{row.errorCode}</code>: {row.error}
                </td>
                <td>{row.attempts}</td>
                <td>
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() => onRedrive(`/admin/dead-letters/${row.id}/redrive`, `dead letter ${row.id}`)}
                  >
                    Re-drive dead letter {row.id}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function OperationsSection({ session }: { session: Session }) {
  const [lists, setLists] = useState<Lists>({});
  const [notice, setNotice] = useState<Notice>();
  const [busy, setBusy] = useState(false);
  const [health, setHealth] = useState<HealthDetail>();
  const [lag, setLag] = useState<History>(emptyHistory);
  const [rates, setRates] = useState<History>(emptyHistory);
  const [rebuilds, setRebuilds] = useState<ReadonlyMap<string, number>>(new Map());
  const [pollError, setPollError] = useState<string>();
  const [tick, setTick] = useState(0);

  const refreshLists = () =>
    Promise.all([listParked(session), listRejected(session), listDeadLetters(session)]).then(
      ([parked, rejected, deadLetters]) => setLists({ parked, rejected, deadLetters }),
      (error: unknown) => setLists((before) => ({ ...before, error: message(error) })),
    );

  useEffect(() => {
    let stopped = false;
    let previous: { answered: Reading; accepted: Reading } | undefined;
    const poll = async () => {
      await refreshLists();
      const at = Date.now();
      const [healthAnswer, metricsAnswer] = await Promise.allSettled([readHealth(session), readMetricsText(session)]);
      if (stopped) return;
      const problems: string[] = [];
      if (healthAnswer.status === 'fulfilled') {
        setHealth(healthAnswer.value);
        setLag((h) => appendPoint(h, at, new Map(Object.entries(healthAnswer.value.viewLag ?? {})), KEEP_POINTS));
      } else problems.push(`/health: ${message(healthAnswer.reason)}`);
      if (metricsAnswer.status === 'fulfilled') {
        const samples = parseMetricsText(metricsAnswer.value);
        const now = {
          answered: { at, value: sumOf(samples, 'cel_ingest_messages_total') },
          accepted: { at, value: sumOf(samples, 'cel_ingest_messages_total', { outcome: 'accepted' }) },
        };
        if (previous !== undefined) {
          const values = new Map<string, number>();
          const answered = ratePerSecond(previous.answered, now.answered);
          const accepted = ratePerSecond(previous.accepted, now.accepted);
          if (answered !== undefined) values.set('inputs answered', answered);
          if (accepted !== undefined) values.set('accepted (ACK)', accepted);
          setRates((h) => appendPoint(h, at, values, KEEP_POINTS));
        }
        previous = now;
        setRebuilds(sumBy(samples, 'cel_rebuild_progress_ratio', 'view'));
      } else problems.push(`/metrics: ${message(metricsAnswer.reason)}`);
      setPollError(problems.length === 0 ? undefined : problems.join('; '));
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const loop = () => {
      poll().finally(() => {
        if (!stopped) timer = setTimeout(loop, POLL_MS);
      });
    };
    loop();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [session, tick]);

  const onRedrive = (path: string, label: string) => {
    setBusy(true);
    redrive(session, path)
      .then(
        (outcome) => setNotice({ text: `Re-drive of ${label}: ${outcome}`, failed: false }),
        (error: unknown) => setNotice({ text: `Re-drive of ${label} failed: ${message(error)}`, failed: true }),
      )
      .then(refreshLists)
      .finally(() => setBusy(false));
  };

  return (
    <>
      <h2 id="section-title">Operations</h2>
      <p>
        Service status: <strong data-testid="service-status">{health?.status ?? '…'}</strong>
        {pollError !== undefined && <span role="alert"> (not all readings arrived: {pollError})</span>}
      </p>
      <div aria-live="polite" data-testid="redrive-outcome">
        {notice !== undefined && <p role={notice.failed ? 'alert' : 'status'}>{notice.text}</p>}
      </div>
      {lists.error !== undefined && <p role="alert">Could not list held inputs: {lists.error}</p>}
      <HeldTable kind="parked" title="Parked inputs" rows={lists.parked} onRedrive={onRedrive} busy={busy} />
      <HeldTable kind="rejected" title="Rejected inputs" rows={lists.rejected} onRedrive={onRedrive} busy={busy} />
      <DeadLetterTable rows={lists.deadLetters} onRedrive={onRedrive} busy={busy} />
      <section aria-labelledby="live-title">
        <h3 id="live-title">Live</h3>
        <p>
          Read every {POLL_MS / 1000} seconds.{' '}
          <button type="button" onClick={() => setTick((t) => t + 1)}>
            Read now
          </button>
        </p>
        <LiveChart title="Consumer lag per view" unit="records" history={lag} />
        <LiveChart title="Ingest rates" unit="per second" history={rates} />
        <h4>Rebuilds</h4>
        {rebuilds.size === 0 ? (
          <p>No rebuild under way.</p>
        ) : (
          <ul>
            {[...rebuilds].map(([view, ratio]) => (
              <li key={view}>
                <label for={`rebuild-${view}`}>{view}</label>
                <progress id={`rebuild-${view}`} max={1} value={ratio}>
                  {Math.round(ratio * 100)}%
                </progress>
              </li>
            ))}
          </ul>
        )}
        {health?.viewsHeld !== undefined && Object.keys(health.viewsHeld).length > 0 && (
          <p>Views held by a rebuild: {Object.keys(health.viewsHeld).join(', ')}</p>
        )}
      </section>
    </>
  );
}
