/* xapi.js -- the package's xAPI emitter (docs/xapi-statements.md).
 * Placeholder: emits nothing until the emitter is written. */
