"""The bundled Later Influence Reporting API emulator (v2 in both generations, and v1).

    from sheets_sync.emulator import EmulatorOptions, start_emulator
    with start_emulator(EmulatorOptions(pagination="cursor", seed=1)) as emu:
        emu.url, emu.stats, emu.data

Behaviour and the decisions behind it: sheets_sync/emulator/README.md.
"""

from sheets_sync.emulator.options import ClientSpec, EmulatorOptions
from sheets_sync.emulator.server import RunningEmulator, build_emulator, start_emulator

__all__ = ["ClientSpec", "EmulatorOptions", "RunningEmulator", "build_emulator", "start_emulator"]
