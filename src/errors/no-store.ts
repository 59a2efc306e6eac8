/** RFC 6749 section 5.1: responses with tokens or errors must not be cached. */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;
