/**
 * The auditor's page: "who viewed this record" (the access records of one patient from
 * /audit/access: actor, roles, purpose, route, time, outcome) and "verify this patient's chain"
 * (ok, or broken and where). The page title never carries the NHS number. I/O (fetch, through
 * api.ts).
 */
import { useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { type Load, message } from '../load.js';
import type { Session } from '../signIn.js';
import { type ChainVerdict, describeVerdict, normaliseNhsNumber, utcTime } from './chainVerdict.js';

type AccessRecord = {
  readonly accessId: string;
  readonly actor: { readonly sub: string; readonly roles: readonly string[]; readonly clientId?: string };
  readonly purposeOfUse: string;
  readonly kind: string;
  readonly route: string;
  readonly at: string;
  readonly outcome: string;
};

export function AuditSection({ session }: { session: Session }) {
  const [typed, setTyped] = useState('');
  const [invalid, setInvalid] = useState<string>();
  const [access, setAccess] = useState<Load<readonly AccessRecord[]>>({ state: 'idle' });
  const [chain, setChain] = useState<Load<ChainVerdict>>({ state: 'idle' });

  const nhsOrSay = () => {
    const nhs = normaliseNhsNumber(typed);
    setInvalid(nhs.ok ? undefined : nhs.error);
    return nhs.ok ? nhs.value : undefined;
  };
  const listViewers = (event: Event) => {
    event.preventDefault();
    const nhs = nhsOrSay();
    if (nhs === undefined) return;
    setAccess({ state: 'loading' });
    apiGet<{ records: AccessRecord[] }>(session, `/audit/access?patient=${encodeURIComponent(nhs)}`).then(
      (body) => setAccess({ state: 'done', value: body.records }),
      (error: unknown) => setAccess({ state: 'failed', error: message(error) }),
    );
  };
  const verify = () => {
    const nhs = nhsOrSay();
    if (nhs === undefined) return;
    setChain({ state: 'loading' });
    apiGet<ChainVerdict>(session, `/audit/patients/${encodeURIComponent(nhs)}/verify`).then(
      (value) => setChain({ state: 'done', value }),
      (error: unknown) => setChain({ state: 'failed', error: message(error) }),
    );
  };

  return (
    <>
      <h2 id="section-title">Audit</h2>
      <search aria-label="Find a patient's audit trail">
        <form onSubmit={listViewers}>
          <label for="audit-nhs-number">NHS number</label>
          <input
            id="audit-nhs-number"
            name="nhs-number"
            inputMode="numeric"
            autoComplete="off"
            aria-invalid={invalid !== undefined}
            aria-describedby={invalid === undefined ? undefined : 'audit-nhs-error'}
            value={typed}
            onInput={(event) => setTyped((event.target as HTMLInputElement).value)}
          />
          <button type="submit">Show who viewed this record</button>
          <button type="button" onClick={verify}>
            Verify this patient's chain
          </button>
          {invalid !== undefined && (
            <p id="audit-nhs-error" role="alert">
              {invalid}
            </p>
          )}
        </form>
      </search>

      <section aria-labelledby="chain-title">
        <h3 id="chain-title">This patient's chain</h3>
        <div aria-live="polite">
          {chain.state === 'idle' && <p>Not verified yet.</p>}
          {chain.state === 'loading' && <p>Verifying…</p>}
          {chain.state === 'failed' && <p role="alert">Could not verify the chain: {chain.error}</p>}
          {chain.state === 'done' &&
            (() => {
              const said = describeVerdict(chain.value);
              return (
                <>
                  <p>
                    <strong data-testid="chain-verdict">{said.headline}</strong>
                  </p>
                  {said.details.length > 0 && (
                    <ul>
                      {said.details.map((line) => (
                        <li key={line}>{line}</li>
                      ))}
                    </ul>
                  )}
                </>
              );
            })()}
        </div>
      </section>

      <section aria-labelledby="viewers-title">
        <h3 id="viewers-title">Who viewed this record</h3>
        <div aria-live="polite">
          {access.state === 'idle' && <p>Search for a patient to list the accesses to their record.</p>}
          {access.state === 'loading' && <p>Loading…</p>}
          {access.state === 'failed' && <p role="alert">Could not list the accesses: {access.error}</p>}
          {access.state === 'done' && access.value.length === 0 && <p>No access recorded.</p>}
          {access.state === 'done' && access.value.length > 0 && (
            <table aria-labelledby="viewers-title" data-testid="access-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Route</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {access.value.map((record) => (
                  <tr key={record.accessId}>
                    <td>
                      <time dateTime={record.at}>{utcTime(record.at)}</time>
                    </td>
                    <th scope="row">{record.actor.sub}</th>
                    <td>{record.actor.roles.join(', ')}</td>
                    <td>{record.purposeOfUse}</td>
                    <td>
                      <code>{record.route}</code>
                    </td>
                    <td>{record.outcome}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </section>
    </>
  );
}
