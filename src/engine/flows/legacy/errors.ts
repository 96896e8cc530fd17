/** A legacy definition that can't be converted; the message names the part that failed. */
export class LegacyDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LegacyDefinitionError';
  }
}
