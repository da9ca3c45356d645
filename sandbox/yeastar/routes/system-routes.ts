import type { FastifyInstance } from 'fastify';
import type { YeastarContext } from '../context.ts';
import { displayTime } from '../pbx-time.ts';
import { defineApi } from './api-kit.ts';

/**
 * system/information (help.yeastar.com ".../query-pbx-information.html"). The real
 * response has no time-zone field: `system_time` is PBX local time in the display
 * format and `timestamp` is Unix seconds, so a client derives the PBX's UTC offset
 * as parse(system_time) − timestamp. The emulator keeps exactly that contract.
 */
export function registerSystemRoutes(app: FastifyInstance, ctx: YeastarContext): void {
  defineApi(app, ctx, {
    path: 'system/information',
    method: 'GET',
    handler: () => {
      const now = Date.now();
      const o = ctx.options;
      return {
        data: {
          device_name: 'PBX',
          model_name: 'Yeastar P-Series Software Edition',
          sn: o.serialNumber,
          hardware_version: 'V1.00 0000-0000',
          firmware_version: '83.20.0.21',
          system_time: displayTime(now, o.timezone, o.dateFormat),
          up_time: Math.floor((now - ctx.state.startedAt) / 1000),
          system_date_format: o.dateFormat,
          system_time_format: 'hh:mm:ss',
          timestamp: Math.floor(now / 1000),
        },
      };
    },
  });
}
