import { ADMIN, api, type Wire } from '../api.js';
import { ActionForm, Field, Select, text } from '../ui.js';

type Plan = Wire<'plan'>;
type PlanTerms = Omit<Wire<'updatePlan'>, 'seatBasis'> & { seatBasis?: Plan['seatBasis'] };

const BASES: Array<[Plan['seatBasis'], string]> = [
  ['machine', 'machine (copies on one computer share a seat)'],
  ['user', 'user (copies of one person share a seat)'],
  ['session', 'session (every running copy takes a seat)'],
];

const whole = (d: FormData, name: string) => {
  const v = text(d, name);
  return v === undefined ? undefined : Number(v);
};

/** The plan's terms as the form holds them; blank optional terms are cleared (no expiry, no Stripe price). */
export function planTerms(d: FormData): PlanTerms {
  const terms: PlanTerms = {
    name: text(d, 'name'),
    seats: whole(d, 'seats'),
    seatBasis: text(d, 'seatBasis') as Plan['seatBasis'] | undefined,
    leaseTtlSeconds: whole(d, 'leaseTtlSeconds'),
    heartbeatIntervalSeconds: whole(d, 'heartbeatIntervalSeconds'),
    offlineGraceSeconds: whole(d, 'offlineGraceSeconds'),
    maxBorrowSeconds: whole(d, 'maxBorrowSeconds'),
    maxQueueWaitSeconds: whole(d, 'maxQueueWaitSeconds'),
    lingerSeconds: whole(d, 'lingerSeconds'),
    overage: whole(d, 'overage'),
    entitlements: (text(d, 'entitlements') ?? '').split(/[\s,]+/).filter(Boolean),
    durationDays: whole(d, 'durationDays') ?? null,
    stripePriceId: text(d, 'stripePriceId') ?? null,
  };
  return Object.fromEntries(Object.entries(terms).filter(([, v]) => v !== undefined)) as PlanTerms;
}

/** Every term of a plan, prefilled from `plan` when editing one. */
export function PlanFields({ plan }: { plan?: Plan }) {
  return (
    <>
      <Field label="Plan name" name="name" required defaultValue={plan?.name} />
      <Field label="Seats" name="seats" type="number" defaultValue={plan?.seats ?? 5} required />
      <Select label="Seat basis" name="seatBasis" options={BASES} defaultValue={plan?.seatBasis} />
      <Field label="Overage seats" name="overage" type="number" defaultValue={plan?.overage ?? 0} />
      <Field label="Entitlements" name="entitlements" placeholder="export, pro" defaultValue={plan?.entitlements.join(', ')} />
      <Field label="Lease TTL (s)" name="leaseTtlSeconds" type="number" defaultValue={plan?.leaseTtlSeconds ?? 360} />
      <Field label="Heartbeat every (s)" name="heartbeatIntervalSeconds" type="number" defaultValue={plan?.heartbeatIntervalSeconds ?? 60} />
      <Field label="Offline grace (s)" name="offlineGraceSeconds" type="number" defaultValue={plan?.offlineGraceSeconds ?? 86_400} />
      <Field label="Longest borrow (s)" name="maxBorrowSeconds" type="number" defaultValue={plan?.maxBorrowSeconds ?? 0} />
      <Field label="Longest wait for a seat (s, 0: no queue)" name="maxQueueWaitSeconds" type="number" defaultValue={plan?.maxQueueWaitSeconds ?? 600} />
      <Field label="Seat lingers after release (s)" name="lingerSeconds" type="number" defaultValue={plan?.lingerSeconds ?? 0} />
      <Field label="Duration (days, blank: no expiry)" name="durationDays" type="number" defaultValue={plan?.durationDays ?? ''} />
      <Field label="Stripe price (blank: none)" name="stripePriceId" defaultValue={plan?.stripePriceId ?? ''} placeholder="price_…" />
    </>
  );
}

/** Changes every term of one plan; licenses follow at once unless they override a term. */
export function PlanEditor({ plan, onSaved, onClose }: { plan: Plan; onSaved: (p: Plan) => void; onClose: () => void }) {
  return (
    <section aria-labelledby="plan-editor-title" className="editor">
      <h3 id="plan-editor-title">Edit plan {plan.code}</h3>
      <p className="muted">Licenses of this plan follow at once, except where a license overrides a term.</p>
      <ActionForm label="Save plan" keepValues onSubmit={async (d) => onSaved(await api<Plan>('PATCH', `${ADMIN}/plans/${plan.id}`, planTerms(d)))}>
        <PlanFields plan={plan} />
      </ActionForm>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </section>
  );
}
