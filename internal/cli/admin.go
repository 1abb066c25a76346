package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/auth/password"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/node"
)

// withIdentity opens the store and the identity service for an operator
// command, which acts as the system principal (a platform admin) and
// catches the read models up afterwards.
func (g *globals) withIdentity(cmd *cobra.Command, fn func(ctx context.Context, d *node.Deps, a *app.App, s *auth.Service) error) error {
	cfg, err := g.load()
	if err != nil {
		return err
	}
	log := g.logger(cfg)
	d, err := node.OpenStore(cmd.Context(), cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	s, err := d.Identity(cmd.Context())
	if err != nil {
		return err
	}
	ctx := meridian.WithPrincipal(cmd.Context(), meridian.System("cli"))
	a := app.New(d.DB, nil, log)
	if err := fn(ctx, d, a, s); err != nil {
		return err
	}
	return d.CatchUp(cmd.Context())
}

// resolveUser accepts a user id or an e-mail address.
func resolveUser(ctx context.Context, s *auth.Service, ref string) (string, error) {
	if strings.Contains(ref, "@") {
		u, err := s.Users.ByEmail(ctx, ref)
		if err != nil {
			return "", fmt.Errorf("no user with e-mail address %s", ref)
		}
		return u.ID, nil
	}
	if _, err := s.Users.Get(ctx, ref); err != nil {
		return "", fmt.Errorf("no user with id %s", ref)
	}
	return ref, nil
}

func newUsersCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "Manage user accounts (operators)"}
	var email, name string
	var admin, pwStdin bool
	create := &cobra.Command{
		Use:   "create --email ADDRESS [--name NAME] [--admin] [--password-stdin]",
		Short: "Create a user; with --password-stdin the first line of standard input is the password",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if email == "" {
				return usageError{fmt.Errorf("--email is required")}
			}
			return g.withIdentity(cmd, func(ctx context.Context, _ *node.Deps, _ *app.App, s *auth.Service) error {
				var hash string
				if pwStdin {
					line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
					pw := strings.TrimRight(line, "\r\n")
					if err != nil && pw == "" {
						return fmt.Errorf("read the password from standard input: %w", err)
					}
					local, _, _ := strings.Cut(strings.ToLower(email), "@")
					if err := password.Check(pw, local, name); err != nil {
						return err
					}
					if hash, err = password.Hash(pw); err != nil {
						return err
					}
				}
				u, err := s.Users.Create(ctx, email, name, admin)
				if err != nil {
					return err
				}
				if hash != "" {
					if err := s.Users.SetPassword(ctx, u.ID, hash); err != nil {
						return err
					}
				}
				_ = s.Audit.Record(ctx, auth.AuditEntry{Actor: "system:cli", Action: auth.AuditUserCreated, Target: u.ID})
				fmt.Fprintf(g.stdout, "created user %s (%s)%s\n", u.ID, u.Email, map[bool]string{true: ", platform admin", false: ""}[admin])
				return nil
			})
		},
	}
	create.Flags().StringVar(&email, "email", "", "e-mail address")
	create.Flags().StringVar(&name, "name", "", "display name")
	create.Flags().BoolVar(&admin, "admin", false, "make the user a platform admin")
	create.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input (without it the user signs in through a provider only)")
	cmd.AddCommand(create)
	return cmd
}

func newOrgsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "orgs", Short: "Manage organizations (operators)"}
	var name, owner, website string
	create := &cobra.Command{
		Use:   "create --name NAME --owner USER",
		Short: "Create an organization owned by a user (id or e-mail address)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" || owner == "" {
				return usageError{fmt.Errorf("--name and --owner are required")}
			}
			return g.withIdentity(cmd, func(ctx context.Context, _ *node.Deps, a *app.App, s *auth.Service) error {
				uid, err := resolveUser(ctx, s, owner)
				if err != nil {
					return err
				}
				res, err := a.CreateOrg(ctx, domain.OrgDetails{Name: name, Website: website}, uid)
				if err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "created organization %s owned by %s\n", res.ID, uid)
				return nil
			})
		},
	}
	create.Flags().StringVar(&name, "name", "", "organization name")
	create.Flags().StringVar(&owner, "owner", "", "owner: user id or e-mail address")
	create.Flags().StringVar(&website, "website", "", "website URL")
	var org, user, role string
	add := &cobra.Command{
		Use:   "add-member --org ORG --user USER --role owner|admin|recruiter|viewer",
		Short: "Add a user (id or e-mail address) to an organization",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if org == "" || user == "" || role == "" {
				return usageError{fmt.Errorf("--org, --user and --role are required")}
			}
			return g.withIdentity(cmd, func(ctx context.Context, _ *node.Deps, a *app.App, s *auth.Service) error {
				uid, err := resolveUser(ctx, s, user)
				if err != nil {
					return err
				}
				if _, err := a.AddMember(ctx, org, -1, uid, role); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "added %s to %s as %s\n", uid, org, role)
				return nil
			})
		},
	}
	add.Flags().StringVar(&org, "org", "", "organization id")
	add.Flags().StringVar(&user, "user", "", "user id or e-mail address")
	add.Flags().StringVar(&role, "role", "", "owner, admin, recruiter or viewer")
	cmd.AddCommand(create, add)
	return cmd
}

func newKeysCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage API keys, OAuth2 clients and JWT signing keys (operators)"}
	var org, name, kind, scopes, id string
	var expires time.Duration
	create := &cobra.Command{
		Use:   "create --org ORG --name NAME --scope jobs:read,jobs:write [--kind key|client] [--expires 2160h]",
		Short: "Create an API key or OAuth2 client; the secret is printed once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if org == "" || name == "" || scopes == "" {
				return usageError{fmt.Errorf("--org, --name and --scope are required (scopes: %s)", strings.Join(app.Scopes, ", "))}
			}
			return g.withIdentity(cmd, func(ctx context.Context, _ *node.Deps, a *app.App, _ *auth.Service) error {
				in := auth.NewKeyInput{OrgID: org, Kind: kind, Name: name, Scopes: strings.Split(scopes, ",")}
				if expires > 0 {
					in.ExpiresAt = time.Now().Add(expires)
				}
				key, secret, err := a.CreateAPIKey(ctx, in)
				if err != nil {
					return err
				}
				b, _ := json.MarshalIndent(map[string]any{"key": key, "secret": secret}, "", "  ")
				fmt.Fprintln(g.stdout, string(b))
				return nil
			})
		},
	}
	create.Flags().StringVar(&org, "org", "", "organization id")
	create.Flags().StringVar(&name, "name", "", "what the key is for")
	create.Flags().StringVar(&kind, "kind", "key", "key (X-API-Key) or client (OAuth2 client credentials)")
	create.Flags().StringVar(&scopes, "scope", "", "comma-separated scopes: "+strings.Join(app.Scopes, ", "))
	create.Flags().DurationVar(&expires, "expires", 0, "lifetime (e.g. 2160h); default: until revoked")
	list := &cobra.Command{
		Use:   "list --org ORG",
		Short: "List an organization's keys and clients",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if org == "" {
				return usageError{fmt.Errorf("--org is required")}
			}
			return g.withIdentity(cmd, func(ctx context.Context, _ *node.Deps, a *app.App, _ *auth.Service) error {
				keys, err := a.APIKeys(ctx, org)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tKIND\tNAME\tPREFIX\tSCOPES\tEXPIRES\tREVOKED\tLAST USED")
				for _, k := range keys {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Kind, k.Name, k.Prefix, strings.Join(k.Scopes, ","), when(k.ExpiresAt), when(k.RevokedAt), when(k.LastUsedAt))
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().StringVar(&org, "org", "", "organization id")
	revoke := &cobra.Command{
		Use:   "revoke --org ORG --id KEY",
		Short: "Revoke a key or client",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if org == "" || id == "" {
				return usageError{fmt.Errorf("--org and --id are required")}
			}
			return g.withIdentity(cmd, func(ctx context.Context, _ *node.Deps, a *app.App, _ *auth.Service) error {
				if _, err := a.RevokeAPIKey(ctx, org, id); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "revoked %s\n", id)
				return nil
			})
		},
	}
	revoke.Flags().StringVar(&org, "org", "", "organization id")
	revoke.Flags().StringVar(&id, "id", "", "key id")
	rotate := &cobra.Command{
		Use:   "rotate-signing",
		Short: "Start signing access tokens with a new key; the old one keeps verifying until its tokens expire",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withIdentity(cmd, func(ctx context.Context, _ *node.Deps, _ *app.App, s *auth.Service) error {
				kid, err := s.Tokens.RotateSigningKey(ctx)
				if err != nil {
					return err
				}
				_ = s.Audit.Record(ctx, auth.AuditEntry{Actor: "system:cli", Action: auth.AuditSigningRotate, Target: kid})
				fmt.Fprintf(g.stdout, "new signing key %s\n", kid)
				return nil
			})
		},
	}
	cmd.AddCommand(create, list, revoke, rotate)
	return cmd
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
