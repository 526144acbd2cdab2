/** Room names in one place: the server joins sockets to them, the publisher emits to them. */
export const rooms = {
  /** Aggregates and wall-safe case summaries only. */
  wall: 'wall',
  department: (id: string) => `dept:${id}`,
  role: (role: string) => `role:${role}`,
} as const;
