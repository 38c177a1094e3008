/** From `since` (ms) on, `seats` were sold; the first record holds for all time before it too. */
export interface SeatsFrom {
  since: number;
  seats: number;
}

/** The seat-seconds sold over [from, to) and the most seats in force in it, from the license's seat history. */
export function capacity(history: SeatsFrom[], currentSeats: number, from: number, to: number): { seatSeconds: number; seats: number } {
  if (history.length === 0) return { seatSeconds: (currentSeats * (to - from)) / 1000, seats: currentSeats };
  let seatSeconds = 0;
  let most = 0;
  history.forEach((h, i) => {
    const start = i === 0 ? Number.NEGATIVE_INFINITY : h.since;
    const end = history[i + 1]?.since ?? Number.POSITIVE_INFINITY;
    const a = Math.max(start, from);
    const b = Math.min(end, to);
    if (b > a) {
      seatSeconds += (h.seats * (b - a)) / 1000;
      most = Math.max(most, h.seats);
    }
  });
  return { seatSeconds, seats: most };
}
