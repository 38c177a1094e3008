export function Usage() {
  return (
    <section>
      <h1>Seat usage</h1>
      <p className="muted">No usage data yet.</p>
    </section>
  );
}
