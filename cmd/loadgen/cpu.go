package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuMeter reports the CPU time this process and, on Linux, the server
// process (by pid) spent during one phase, so a run on a shared machine says
// who had the cores.
type cpuMeter struct {
	pid        int
	wall       time.Time
	self, srv  time.Duration
	srvUnknown bool
}

// clockTicks is USER_HZ, 100 on every Linux this tool runs on.
const clockTicks = 100

func startCPU(pid int) *cpuMeter {
	m := &cpuMeter{pid: pid, wall: time.Now(), self: selfCPU()}
	m.srv, m.srvUnknown = procCPU(pid)
	return m
}

// String is the CPU used since startCPU, in cores (CPU seconds per second).
func (m *cpuMeter) String() string {
	wall := time.Since(m.wall).Seconds()
	s := fmt.Sprintf("loadgen %.2f cores", (selfCPU()-m.self).Seconds()/wall)
	if srv, unknown := procCPU(m.pid); !unknown && !m.srvUnknown {
		s += fmt.Sprintf(", server %.2f cores", (srv-m.srv).Seconds()/wall)
	}
	return s
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU reads utime+stime of pid from /proc; unknown without a pid or /proc.
func procCPU(pid int) (time.Duration, bool) {
	if pid <= 0 {
		return 0, true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, true
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0, true
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, true
	}
	return time.Duration(ut+st) * time.Second / clockTicks, false
}
