/** Strings of the wall's dispatch panels (active whistles, department board, tier containment). */
export const boardZh = {} as const;

export const boardEn: Record<keyof typeof boardZh, string> = {};
