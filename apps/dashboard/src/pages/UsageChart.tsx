export function UsageChart({ licenseId }: { licenseId: string }) {
  return <p className="muted">Seat usage of {licenseId}: no data yet.</p>;
}
