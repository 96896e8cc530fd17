/** A rule of the domain was broken by the caller's input (the CLI and API render it as a 4xx). */
export class InvalidInputError extends Error {}
