import { ApiError } from '../errors/api-error';

/**
 * Turns a unique-index violation into a 409: two concurrent creations both pass the existence
 * check, and the index, not the check, decides.
 */
export async function conflictOnDuplicate<T>(write: Promise<T>, message: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    const text = `${String(error)} ${String((error as { cause?: unknown })?.cause ?? '')}`;
    if (text.includes('UNIQUE constraint failed')) throw new ApiError(409, 'conflict', message);
    throw error;
  }
}
