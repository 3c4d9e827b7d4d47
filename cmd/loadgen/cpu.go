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
	busy, all  int64 // machine-wide jiffies from /proc/stat
	cores      int   // the machine's, whatever this process's affinity
}

// clockTicks is USER_HZ, 100 on every Linux this tool runs on.
const clockTicks = 100

func startCPU(pid int) *cpuMeter {
	m := &cpuMeter{pid: pid, wall: time.Now(), self: selfCPU()}
	m.srv, m.srvUnknown = procCPU(pid)
	m.busy, m.all = machineCPU()
	m.cores = machineCores()
	return m
}

// String is the CPU used since startCPU, in cores (CPU seconds per second).
func (m *cpuMeter) String() string {
	wall := time.Since(m.wall).Seconds()
	s := fmt.Sprintf("loadgen %.2f cores", (selfCPU()-m.self).Seconds()/wall)
	if srv, unknown := procCPU(m.pid); !unknown && !m.srvUnknown {
		s += fmt.Sprintf(", server %.2f cores", (srv-m.srv).Seconds()/wall)
	}
	if busy, all := machineCPU(); all > m.all {
		s += fmt.Sprintf(", machine %.2f of %d cores busy", float64(busy-m.busy)/clockTicks/wall, m.cores)
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

// machineCPU returns the jiffies all CPUs spent busy and in total, from the
// first line of /proc/stat (idle and iowait count as not busy); zeros without it.
func machineCPU() (busy, all int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	for i, f := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseInt(f, 10, 64)
		all += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, all
}

// machineCores counts the cpuN lines of /proc/stat: all the machine's cores,
// where runtime.NumCPU would count only those taskset left this process.
func machineCores() int {
	b, _ := os.ReadFile("/proc/stat")
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "cpu") && !strings.HasPrefix(line, "cpu ") {
			n++
		}
	}
	return n
}
