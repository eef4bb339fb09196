import { ReversaError } from '../errors.ts';
import { type RunError, truncateMessage } from './evidence.ts';

/**
 * An error as the evidence records it. Only our own typed errors keep their message: a foreign error's
 * message could quote anything (a URL with credentials, a command line), so it is reduced to its name
 * and code when it has one.
 */
export function toRunError(error: unknown): RunError {
  if (error instanceof ReversaError)
    return { name: error.name, message: truncateMessage(`${error.code}: ${error.message}`) };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: typeof code === 'string' ? `failed with ${code}` : 'failed (details withheld: foreign error)',
    };
  }
  return { name: 'Error', message: 'failed (non-error value thrown)' };
}
