/**
 * The terminal's service-profile registrations (`AT+CTSP`, EN 300 392-5 clause 6.14.x; docs/pei.md §2): which
 * incoming services go to the TE (the PEI), the MT (the radio's own display) or both. Lost on reboot
 * (docs/pei.md §1.6, §10.13).
 */

/** Service profile: 0 MT only, 1 TE only, 2 MT and TE (docs/pei.md §2.1). */
export type ServiceProfile = 0 | 1 | 2;

/** One `AT+CTSP=<profile>,<layer1>,<layer2>` registration. */
export interface Registration {
  profile: ServiceProfile;
  layer1: number;
  layer2: number;
}

/** Where an incoming service goes. */
export interface Route {
  /** Written to the PEI. */
  te: boolean;
  /** Shown on the radio itself. */
  mt: boolean;
}

/** Layer-1 values (docs/pei.md §2.1): 0 call control, 1 mobility/group management, 2 SDS/status, 3 SDS-TL by PID. */
export const LAYER1 = { CALL: 0, GROUP_MANAGEMENT: 1, SDS: 2, SDS_TL: 3 } as const;

/** Service classes the simulator gates (docs/pei.md §2.1–§2.2). */
export const SERVICE = {
  /** Call signalling URCs (`+CTICN`, `+CTCR`, …): `x,0,0`. */
  calls: { layer1: LAYER1.CALL, layer2: 0 },
  /** `+CTGS`/`+CTOM` change notifications: `x,1,11`. */
  groupManagement: { layer1: LAYER1.GROUP_MANAGEMENT, layer2: 11 },
  /** Status and short reports on AI service 13: `x,2,20`. */
  status: { layer1: LAYER1.SDS, layer2: 20 },
} as const;

/** `AT+CTSP` registrations keyed by `layer1,layer2`; a newer profile replaces the older one. */
export class RoutingTable {
  private readonly entries = new Map<string, Registration>();

  /** Adds or replaces the registration for `layer1,layer2` (a new profile overrides the old one). */
  register(r: Registration): void {
    this.entries.set(`${r.layer1},${r.layer2}`, { ...r });
  }

  clear(): void {
    this.entries.clear();
  }

  /** Registrations in the order they were made. */
  list(): Registration[] {
    return [...this.entries.values()];
  }

  has(layer1: number, layer2: number): boolean {
    return this.entries.has(`${layer1},${layer2}`);
  }

  /**
   * Route of a service. Unregistered services are shown on the radio only: an MTM800 showed texts on the
   * radio until `AT+CTSP=1,3,130` (docs/pei.md §2.2, fms).
   */
  route(layer1: number, layer2: number): Route {
    const r = this.entries.get(`${layer1},${layer2}`) ?? this.wildcard(layer1, layer2);
    if (!r) return { te: false, mt: true };
    return { te: r.profile !== 0, mt: r.profile !== 1 };
  }

  /** Route of an SDS type-4 PDU by its protocol identifier (layer 1 = 3, layer 2 = PID in decimal). */
  routeSdsTl(pid: number): Route {
    return this.route(LAYER1.SDS_TL, pid);
  }

  /**
   * svx registers `1,3,24` and `1,3,25`, commented "SDS type 4, PIDs 0–127 / 128–255" (docs/pei.md §2.1, marked
   * [?]). Honoured here as ranges so an svx-style host receives what it registered for.
   */
  private wildcard(layer1: number, layer2: number): Registration | undefined {
    if (layer1 !== LAYER1.SDS_TL) return undefined;
    return this.entries.get(`3,${layer2 < 128 ? 24 : 25}`);
  }
}
