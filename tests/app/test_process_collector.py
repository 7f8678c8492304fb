"""ProcessTreeCollector reads /proc/PID/stat even for odd command names."""

import os

from web.metrics import ProcessTreeCollector, _Stat


def stat_line(command: str, utime: int, cutime: int, rss_pages: int) -> str:
    # Fields 3 to 24 of proc(5): state, ppid, ..., utime (14), stime (15),
    # cutime (16), cstime (17), ..., rss (24).
    fields = ["S", "1"] + ["0"] * 9 + [str(utime), "0", str(cutime), "0"] + ["0"] * 6
    fields += [str(rss_pages)]

    return f"4242 ({command}) " + " ".join(fields) + " 0 0"


def test_parses_a_command_name_with_spaces_and_parentheses():
    stat = _Stat(4242, stat_line("gunicorn: worker (x) [config]", 150, 50, 10))
    ticks = os.sysconf("SC_CLK_TCK")

    assert stat.ppid == 1
    assert stat.cpu_seconds == 200 / ticks
    assert stat.resident_bytes == 10 * os.sysconf("SC_PAGE_SIZE")


def test_collects_the_current_process():
    cpu, memory = ProcessTreeCollector(os.getpid()).collect()

    assert cpu.name == "process_cpu_seconds"
    assert cpu.samples[0].value > 0
    assert memory.samples[0].value > 10 * 1024 * 1024
