/** Room names in one place: the server joins sockets to them, the publisher emits to them. */
export const rooms = {
  /** Aggregates and wall-safe case summaries only. */
  wall: 'wall',
  department: (id: string) => `dept:${id}`,
  role: (role: string) => `role:${role}`,
  /** Every socket of one user or kiosk: disconnected together when its access changes. */
  principal: (id: string) => `principal:${id}`,
  /** Every socket of one session: disconnected when it signs out. */
  session: (id: string) => `session:${id}`,
} as const;
