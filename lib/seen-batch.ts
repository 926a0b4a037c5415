// Seen marks sent at once, at most (POST /api/seen): the inbox page sends its marks in batches of
// this many (app/inbox/inbox-client.tsx) and the route refuses more. A module of its own so the
// browser's code can import it without the database's.
export const MAX_SEEN_BATCH = 200;
