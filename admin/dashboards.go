package admin

import (
	"context"
	"fmt"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/rbac"
)

// maxChartsPerDashboard matches what one dashboard query is sized for.
const maxChartsPerDashboard = 20

// checkCharts checks that every chart exists and may be shown on a
// dashboard owned by orgID: a chart shared with everyone fits anywhere; an
// organization's chart only on that organization's dashboards.
func (s *Service) checkCharts(ctx context.Context, r reach, orgID *int64, ids []int64) error {
	if len(ids) > maxChartsPerDashboard {
		return badInput("a dashboard holds at most %d charts", maxChartsPerDashboard)
	}
	for _, id := range ids {
		c, err := s.store.Chart(ctx, id)
		if err != nil {
			return asInput(err)
		}
		if c.OrganizationID == nil {
			continue
		}
		if !r.has(*c.OrganizationID) || orgID == nil || *orgID != *c.OrganizationID {
			return badInput("chart %d belongs to another organization than the dashboard", id)
		}
	}
	return nil
}

// managedDashboard checks that a dashboard exists and is the actor's to change.
func (s *Service) managedDashboard(ctx context.Context, actor *rbac.UserContext, id int64) (*analytics.Dashboard, reach, error) {
	r, err := reachOf(actor, "dashboards")
	if err != nil {
		return nil, r, err
	}
	d, err := s.store.Dashboard(ctx, id)
	if err != nil {
		return nil, r, asInput(err)
	}
	if !r.hasOptional(d.OrganizationID) {
		return nil, r, forbidden("dashboard %d is outside your organizations", id)
	}
	return d, r, nil
}

// CreateDashboard creates a dashboard; a dashboard shared with every
// analytics reader needs dashboards:manage:all.
func (s *Service) CreateDashboard(ctx context.Context, actor *rbac.UserContext, in DashboardInput) (_ *analytics.Dashboard, err error) {
	defer s.audit(ctx, actor, "create_dashboard", in.Name, &err)
	r, err := reachOf(actor, "dashboards")
	if err != nil {
		return nil, err
	}
	if in.Name, err = checkName("a dashboard's", in.Name); err != nil {
		return nil, err
	}
	if !r.hasOptional(in.OrganizationID) {
		return nil, forbidden("you can only create dashboards of your own organizations")
	}
	if err := s.checkCharts(ctx, r, in.OrganizationID, in.ChartIDs); err != nil {
		return nil, err
	}
	var id int64
	err = s.write(ctx, func() (Events, error) {
		var events Events
		id, events, err = s.store.CreateDashboard(ctx, in, actor.UserID)
		return events, err
	})
	if err != nil {
		return nil, err
	}
	return s.store.Dashboard(ctx, id)
}

// UpdateDashboard changes a dashboard's name or description.
func (s *Service) UpdateDashboard(ctx context.Context, actor *rbac.UserContext, id int64, in UpdateDashboardInput) (_ *analytics.Dashboard, err error) {
	defer s.audit(ctx, actor, "update_dashboard", dashboardTarget(id), &err)
	if _, _, err := s.managedDashboard(ctx, actor, id); err != nil {
		return nil, err
	}
	if in.Name != nil {
		name, err := checkName("a dashboard's", *in.Name)
		if err != nil {
			return nil, err
		}
		in.Name = &name
	}
	err = s.write(ctx, func() (Events, error) {
		return s.store.UpdateDashboard(ctx, id, in)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Dashboard(ctx, id)
}

// SetDashboardCharts sets a dashboard's charts, in order.
func (s *Service) SetDashboardCharts(ctx context.Context, actor *rbac.UserContext, id int64, chartIDs []int64) (_ *analytics.Dashboard, err error) {
	defer s.audit(ctx, actor, "reorder_dashboard_charts", dashboardTarget(id), &err)
	d, r, err := s.managedDashboard(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkCharts(ctx, r, d.OrganizationID, chartIDs); err != nil {
		return nil, err
	}
	err = s.write(ctx, func() (Events, error) {
		return s.store.SetDashboardCharts(ctx, id, chartIDs)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Dashboard(ctx, id)
}

// DeleteDashboard deletes a dashboard.
func (s *Service) DeleteDashboard(ctx context.Context, actor *rbac.UserContext, id int64) (err error) {
	defer s.audit(ctx, actor, "delete_dashboard", dashboardTarget(id), &err)
	if _, _, err := s.managedDashboard(ctx, actor, id); err != nil {
		return err
	}
	return s.write(ctx, func() (Events, error) {
		return s.store.DeleteDashboard(ctx, id)
	})
}

// managedChart checks that a chart exists and is the actor's to change.
func (s *Service) managedChart(ctx context.Context, actor *rbac.UserContext, id int64) error {
	r, err := reachOf(actor, "dashboards")
	if err != nil {
		return err
	}
	c, err := s.store.Chart(ctx, id)
	if err != nil {
		return asInput(err)
	}
	if !r.hasOptional(c.OrganizationID) {
		return forbidden("chart %d is outside your organizations", id)
	}
	return nil
}

// CreateChart creates a chart definition with a validated configuration.
func (s *Service) CreateChart(ctx context.Context, actor *rbac.UserContext, in ChartInput) (_ *analytics.Chart, err error) {
	defer s.audit(ctx, actor, "create_chart", in.Name, &err)
	r, err := reachOf(actor, "dashboards")
	if err != nil {
		return nil, err
	}
	if in.Name, err = checkName("a chart's", in.Name); err != nil {
		return nil, err
	}
	if !r.hasOptional(in.OrganizationID) {
		return nil, forbidden("you can only create charts of your own organizations")
	}
	if in.Config, err = validChart(in.Config); err != nil {
		return nil, err
	}
	var id int64
	err = s.write(ctx, func() (Events, error) {
		var events Events
		id, events, err = s.store.CreateChart(ctx, in, actor.UserID)
		return events, err
	})
	if err != nil {
		return nil, err
	}
	return s.store.Chart(ctx, id)
}

// UpdateChart changes a chart definition and bumps its version.
func (s *Service) UpdateChart(ctx context.Context, actor *rbac.UserContext, id int64, in UpdateChartInput) (_ *analytics.Chart, err error) {
	defer s.audit(ctx, actor, "update_chart", chartTarget(id), &err)
	if err := s.managedChart(ctx, actor, id); err != nil {
		return nil, err
	}
	if in.Name != nil {
		name, err := checkName("a chart's", *in.Name)
		if err != nil {
			return nil, err
		}
		in.Name = &name
	}
	if in.Config != nil {
		cfg, err := validChart(*in.Config)
		if err != nil {
			return nil, err
		}
		in.Config = &cfg
	}
	err = s.write(ctx, func() (Events, error) {
		return s.store.UpdateChart(ctx, id, in)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Chart(ctx, id)
}

// DeleteChart deletes a chart definition and takes it off every dashboard.
func (s *Service) DeleteChart(ctx context.Context, actor *rbac.UserContext, id int64) (err error) {
	defer s.audit(ctx, actor, "delete_chart", chartTarget(id), &err)
	if err := s.managedChart(ctx, actor, id); err != nil {
		return err
	}
	return s.write(ctx, func() (Events, error) {
		return s.store.DeleteChart(ctx, id)
	})
}

// MarkDataSourceReloaded bumps a data source's generation.
func (s *Service) MarkDataSourceReloaded(ctx context.Context, actor *rbac.UserContext, id int64) (_ *DataSource, err error) {
	defer s.audit(ctx, actor, "mark_data_source_reloaded", fmt.Sprintf("data_source:%d", id), &err)
	if err := actor.Require(rbac.DataSourcesManageAll); err != nil {
		return nil, err
	}
	var ds *DataSource
	err = s.write(ctx, func() (Events, error) {
		var events Events
		var err error
		ds, events, err = s.store.MarkDataSourceReloaded(ctx, id)
		return events, err
	})
	return ds, err
}

func dashboardTarget(id int64) string { return fmt.Sprintf("dashboard:%d", id) }
func chartTarget(id int64) string     { return fmt.Sprintf("chart:%d", id) }
