/** Posted by the messaging worker when a notification is clicked while a page of ours is open: go to `path`. */
export const OPEN_PATH_MESSAGE = 'mi:open-notification';
export type OpenPathMessage = { type: typeof OPEN_PATH_MESSAGE; path: string };
