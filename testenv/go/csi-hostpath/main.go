// Command csi-hostpath is a CSI driver for the test environment that keeps each volume as a
// directory and each snapshot as a copy of one. The upstream csi-driver-host-path is not
// served by the Go module proxy this project builds from, and a kubelet-less environment
// needs only its controller side: CreateVolume (empty, or filled from a snapshot),
// DeleteVolume, CreateSnapshot, DeleteSnapshot and ListSnapshots. Nothing is ever mounted
// (there is no kubelet to ask), so tests read and write a volume's directory directly:
// <statedir>/volumes/<volume handle>.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func main() {
	endpoint := flag.String("endpoint", "", "unix socket to serve CSI on (unix:///path or /path)")
	stateDir := flag.String("statedir", "", "directory holding volumes/, snapshots/ and state.json")
	driverName := flag.String("drivername", "hostpath.csi.kubesnap.io", "the CSI driver name")
	flag.Parse()
	if *endpoint == "" || *stateDir == "" {
		log.Fatal("csi-hostpath: --endpoint and --statedir are required")
	}
	socket := strings.TrimPrefix(*endpoint, "unix://")
	d, err := openDriver(*stateDir, *driverName)
	if err != nil {
		log.Fatalf("csi-hostpath: %v", err)
	}
	// A socket left by a driver that was killed would make Listen fail with "address in use".
	_ = os.Remove(socket)
	listener, err := net.Listen("unix", socket)
	if err != nil {
		log.Fatalf("csi-hostpath: listen on %s: %v", socket, err)
	}
	server := grpc.NewServer(grpc.UnaryInterceptor(logCalls))
	csi.RegisterIdentityServer(server, d)
	csi.RegisterControllerServer(server, d)
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		<-stop
		server.GracefulStop()
	}()
	log.Printf("csi-hostpath: %s serving on %s, state in %s", *driverName, socket, *stateDir)
	if err := server.Serve(listener); err != nil {
		log.Fatalf("csi-hostpath: %v", err)
	}
}

func logCalls(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	if err != nil {
		log.Printf("%s: %v", info.FullMethod, err)
	} else if !strings.HasSuffix(info.FullMethod, "/Probe") {
		log.Printf("%s: ok", info.FullMethod)
	}
	return resp, err
}

type volume struct {
	Capacity int64 `json:"capacity"`
}

type snapshot struct {
	Source    string `json:"source"`
	Size      int64  `json:"size"`
	CreatedAt int64  `json:"createdAt"`
}

// state is what survives a restart of the driver; ids are the names the sidecars chose
// (pvc-<uid>, snapshot-<uid>), which makes CreateVolume and CreateSnapshot idempotent.
type state struct {
	Volumes   map[string]volume   `json:"volumes"`
	Snapshots map[string]snapshot `json:"snapshots"`
}

type driver struct {
	csi.UnimplementedIdentityServer
	csi.UnimplementedControllerServer
	name string
	dir  string
	mu   sync.Mutex
	st   state
}

func openDriver(dir, name string) (*driver, error) {
	d := &driver{name: name, dir: dir, st: state{Volumes: map[string]volume{}, Snapshots: map[string]snapshot{}}}
	for _, sub := range []string{"volumes", "snapshots"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(d.statePath())
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	return d, json.Unmarshal(data, &d.st)
}

func (d *driver) statePath() string { return filepath.Join(d.dir, "state.json") }

func (d *driver) save() error {
	data, err := json.MarshalIndent(d.st, "", "  ")
	if err != nil {
		return err
	}
	tmp := d.statePath() + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, d.statePath())
}

// Ids become directory names: anything but a plain name is refused.
var safeID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$`)

func checkID(what, id string) error {
	if !safeID.MatchString(id) {
		return status.Errorf(codes.InvalidArgument, "%s %q is not a valid id", what, id)
	}
	return nil
}

func (d *driver) volumeDir(id string) string   { return filepath.Join(d.dir, "volumes", id) }
func (d *driver) snapshotDir(id string) string { return filepath.Join(d.dir, "snapshots", id) }

func (d *driver) GetPluginInfo(context.Context, *csi.GetPluginInfoRequest) (*csi.GetPluginInfoResponse, error) {
	return &csi.GetPluginInfoResponse{Name: d.name, VendorVersion: "kubesnap-testenv"}, nil
}

func (d *driver) GetPluginCapabilities(context.Context, *csi.GetPluginCapabilitiesRequest) (*csi.GetPluginCapabilitiesResponse, error) {
	return &csi.GetPluginCapabilitiesResponse{Capabilities: []*csi.PluginCapability{{
		Type: &csi.PluginCapability_Service_{Service: &csi.PluginCapability_Service{
			Type: csi.PluginCapability_Service_CONTROLLER_SERVICE,
		}},
	}}}, nil
}

func (d *driver) Probe(context.Context, *csi.ProbeRequest) (*csi.ProbeResponse, error) {
	return &csi.ProbeResponse{}, nil
}

func (d *driver) ControllerGetCapabilities(context.Context, *csi.ControllerGetCapabilitiesRequest) (*csi.ControllerGetCapabilitiesResponse, error) {
	var caps []*csi.ControllerServiceCapability
	for _, c := range []csi.ControllerServiceCapability_RPC_Type{
		csi.ControllerServiceCapability_RPC_CREATE_DELETE_VOLUME,
		csi.ControllerServiceCapability_RPC_CREATE_DELETE_SNAPSHOT,
		csi.ControllerServiceCapability_RPC_LIST_SNAPSHOTS,
	} {
		caps = append(caps, &csi.ControllerServiceCapability{
			Type: &csi.ControllerServiceCapability_Rpc{Rpc: &csi.ControllerServiceCapability_RPC{Type: c}},
		})
	}
	return &csi.ControllerGetCapabilitiesResponse{Capabilities: caps}, nil
}

func (d *driver) CreateVolume(_ context.Context, req *csi.CreateVolumeRequest) (*csi.CreateVolumeResponse, error) {
	id := req.GetName()
	if err := checkID("volume name", id); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	capacity := req.GetCapacityRange().GetRequiredBytes()
	source := req.GetVolumeContentSource()
	if v, ok := d.st.Volumes[id]; ok {
		return &csi.CreateVolumeResponse{Volume: &csi.Volume{VolumeId: id, CapacityBytes: v.Capacity, ContentSource: source}}, nil
	}
	if err := os.MkdirAll(d.volumeDir(id), 0o755); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if snap := source.GetSnapshot(); snap != nil {
		s, ok := d.st.Snapshots[snap.GetSnapshotId()]
		if !ok {
			_ = os.RemoveAll(d.volumeDir(id))
			return nil, status.Errorf(codes.NotFound, "snapshot %q does not exist", snap.GetSnapshotId())
		}
		if err := copyTree(d.snapshotDir(snap.GetSnapshotId()), d.volumeDir(id)); err != nil {
			_ = os.RemoveAll(d.volumeDir(id))
			return nil, status.Error(codes.Internal, err.Error())
		}
		capacity = max(capacity, s.Size)
	} else if source != nil {
		_ = os.RemoveAll(d.volumeDir(id))
		return nil, status.Error(codes.InvalidArgument, "only snapshots can be a volume's content source")
	}
	d.st.Volumes[id] = volume{Capacity: capacity}
	if err := d.save(); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &csi.CreateVolumeResponse{Volume: &csi.Volume{VolumeId: id, CapacityBytes: capacity, ContentSource: source}}, nil
}

func (d *driver) DeleteVolume(_ context.Context, req *csi.DeleteVolumeRequest) (*csi.DeleteVolumeResponse, error) {
	id := req.GetVolumeId()
	if err := checkID("volume id", id); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.RemoveAll(d.volumeDir(id)); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	delete(d.st.Volumes, id)
	if err := d.save(); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &csi.DeleteVolumeResponse{}, nil
}

func (d *driver) CreateSnapshot(_ context.Context, req *csi.CreateSnapshotRequest) (*csi.CreateSnapshotResponse, error) {
	id, source := req.GetName(), req.GetSourceVolumeId()
	if err := checkID("snapshot name", id); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.st.Snapshots[id]; ok {
		if s.Source != source {
			return nil, status.Errorf(codes.AlreadyExists, "snapshot %q exists with source %q", id, s.Source)
		}
		return &csi.CreateSnapshotResponse{Snapshot: d.csiSnapshot(id, s)}, nil
	}
	v, ok := d.st.Volumes[source]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "volume %q does not exist", source)
	}
	if err := copyTree(d.volumeDir(source), d.snapshotDir(id)); err != nil {
		_ = os.RemoveAll(d.snapshotDir(id))
		return nil, status.Error(codes.Internal, err.Error())
	}
	s := snapshot{Source: source, Size: v.Capacity, CreatedAt: time.Now().UnixNano()}
	d.st.Snapshots[id] = s
	if err := d.save(); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &csi.CreateSnapshotResponse{Snapshot: d.csiSnapshot(id, s)}, nil
}

func (d *driver) DeleteSnapshot(_ context.Context, req *csi.DeleteSnapshotRequest) (*csi.DeleteSnapshotResponse, error) {
	id := req.GetSnapshotId()
	if err := checkID("snapshot id", id); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.RemoveAll(d.snapshotDir(id)); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	delete(d.st.Snapshots, id)
	if err := d.save(); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &csi.DeleteSnapshotResponse{}, nil
}

// ListSnapshots is how the snapshotter sidecar checks a pre-provisioned snapshot (one a
// VolumeSnapshotContent names by handle) before marking it ready. No paging: the test
// environment holds a handful.
func (d *driver) ListSnapshots(_ context.Context, req *csi.ListSnapshotsRequest) (*csi.ListSnapshotsResponse, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var entries []*csi.ListSnapshotsResponse_Entry
	for id, s := range d.st.Snapshots {
		if req.GetSnapshotId() != "" && id != req.GetSnapshotId() {
			continue
		}
		if req.GetSourceVolumeId() != "" && s.Source != req.GetSourceVolumeId() {
			continue
		}
		entries = append(entries, &csi.ListSnapshotsResponse_Entry{Snapshot: d.csiSnapshot(id, s)})
	}
	return &csi.ListSnapshotsResponse{Entries: entries}, nil
}

func (d *driver) csiSnapshot(id string, s snapshot) *csi.Snapshot {
	return &csi.Snapshot{
		SnapshotId:     id,
		SourceVolumeId: s.Source,
		SizeBytes:      s.Size,
		ReadyToUse:     true,
		CreationTime:   timestamppb.New(time.Unix(0, s.CreatedAt)),
	}
}

// copyTree copies regular files and directories (what tests write into volumes).
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		info, err := entry.Info()
		if err != nil {
			return err
		}
		switch {
		case entry.IsDir():
			return os.MkdirAll(target, info.Mode().Perm())
		case info.Mode().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		default:
			return fmt.Errorf("%s: only files and directories can be snapshotted", path)
		}
	})
}
