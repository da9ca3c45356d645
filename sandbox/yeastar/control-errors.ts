/**
 * Errors of the emulator's own `/sandbox/*` controls (not the PBX's API, whose
 * errors are `errcode` envelopes: errcodes.ts). They answer with the same
 * `{"error":{"code","message","details?"}}` shape as Spokes, but the emulator
 * keeps its own copy: an emulator imports nothing from `src/`, so it can be
 * run (and shipped) alone.
 */
export interface ControlErrorDetail {
  field?: string;
  message: string;
}

export class ControlError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: ControlErrorDetail[];

  constructor(code: string, status: number, message: string, details?: ControlErrorDetail[]) {
    super(message);
    this.name = 'ControlError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export class ValidationError extends ControlError {
  constructor(message: string, details?: ControlErrorDetail[]) {
    super('validation_failed', 400, message, details);
  }
}

export class NotFoundError extends ControlError {
  constructor(message: string) {
    super('not_found', 404, message);
  }
}

export class ConflictError extends ControlError {
  constructor(message: string) {
    super('conflict', 409, message);
  }
}
