/** The API key a secret created by the stack starts with; the functions refuse it. */
export const PLACEHOLDER_API_KEY = 'REPLACE_WITH_API_KEY';
