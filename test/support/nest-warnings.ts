import { Logger, type LoggerService } from '@nestjs/common';

/**
 * The warnings Nest's static `Logger` receives while `fn` runs (decorators warn at class
 * definition, before any app and its logger exist). The default loggers are restored after.
 */
export function nestWarningsDuring(fn: () => void): string[] {
  const warnings: string[] = [];
  const capture: LoggerService = {
    log: () => undefined,
    error: () => undefined,
    warn: (m: unknown) => void warnings.push(String(m)),
  };
  Logger.overrideLogger(capture);
  try {
    fn();
  } finally {
    Logger.overrideLogger(true);
  }
  return warnings;
}
